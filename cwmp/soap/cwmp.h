// gSOAP interface header for the CWMP RPCs the CPE sends and receives: input to soapcpp2 only,
// never compiled directly. Written by hand from the Broadband Forum's cwmp-1-2.xsd (with
// cwmp-1-4.xsd's header elements) in ../shared/reference/cwmp/; element names, order and
// occurrence follow the schema. TR-069 Amendment 6, Annex A.
//
// soapcpp2 generates soapStub.h, soapH.h and soapC.cpp from this into the build tree
// (cwmp/CMakeLists.txt). Nothing it generates leaves cwmp/soap/: cwmp/soap/codec_*.cpp convert
// between these types and cwmp/messages.h.
//
// Notes on the mapping:
// - The schema's SOAP-encoded arrays (ParameterValueList, EventList, ...) are gSOAP arrays
//   (__ptr/__size) so that SOAP-ENC:arrayType="cwmp:T[n]" is written as the schema requires.
// - ParameterValueStruct/Value carries an explicit xsi:type attribute; automatic xsi:type
//   output is switched off (SOAP_XML_NOTYPE) because the schema's anonymous simple types do not
//   admit xsd:string and friends.
// - Elements are unqualified inside an RPC (elementFormDefault="unqualified"); only the RPC
//   element itself and the header elements are in the cwmp namespace.
// - The cwmp namespace URI below is the one written by default; the codec swaps in the
//   version's URI per call and accepts urn:dslforum-org:cwmp-1-* on input.

//gsoap cwmp schema namespace: urn:dslforum-org:cwmp-1-0
//gsoap cwmp schema elementForm: unqualified
//gsoap cwmp schema attributeForm: unqualified



typedef std::string xsd__string;
typedef bool xsd__boolean;
typedef int xsd__int;
typedef unsigned int xsd__unsignedInt;
typedef std::string xsd__dateTime;  // kept as text; the session formats and parses times

// ---- header (cwmp-1-2.xsd ID, HoldRequests; cwmp-1-3.xsd SessionTimeout; cwmp-1-4.xsd) ----

struct SOAP_ENV__Header {
    mustUnderstand xsd__string *cwmp__ID 0;
    mustUnderstand xsd__boolean *cwmp__HoldRequests 0;
    xsd__boolean *cwmp__NoMoreRequests 0;
    xsd__unsignedInt *cwmp__SessionTimeout 0;
    xsd__string *cwmp__SupportedCWMPVersions 0;
    mustUnderstand xsd__string *cwmp__UseCWMPVersion 0;
};

// ---- shared types ----

struct cwmp__DeviceIdStruct {
    xsd__string Manufacturer 1;
    xsd__string OUI 1;
    xsd__string ProductClass 1;
    xsd__string SerialNumber 1;
};

struct cwmp__EventStruct {
    xsd__string EventCode 1;
    xsd__string CommandKey 1;
};

struct EventList {
    struct cwmp__EventStruct *__ptrEventStruct;
    int __size;
};

// Value with its xsi:type (xs:anySimpleType in the schema).
struct cwmp__ParameterValue {
    @xsd__string *xsi__type;
    xsd__string __item;
};

struct cwmp__ParameterValueStruct {
    xsd__string Name 1;
    struct cwmp__ParameterValue Value 1;
};

struct ParameterValueList {
    struct cwmp__ParameterValueStruct *__ptrParameterValueStruct;
    int __size;
};

struct ParameterNames {
    xsd__string *__ptrstring;
    int __size;
};

struct MethodList {
    xsd__string *__ptrstring;
    int __size;
};

struct cwmp__ParameterInfoStruct {
    xsd__string Name 1;
    xsd__boolean Writable 1;
};

struct ParameterInfoList {
    struct cwmp__ParameterInfoStruct *__ptrParameterInfoStruct;
    int __size;
};

struct AccessList {
    xsd__string *__ptrstring;
    int __size;
};

struct cwmp__SetParameterAttributesStruct {
    xsd__string Name 1;
    xsd__boolean NotificationChange 1;
    xsd__int Notification 1;
    xsd__boolean AccessListChange 1;
    struct AccessList AccessList 1;
};

struct SetParameterAttributesList {
    struct cwmp__SetParameterAttributesStruct *__ptrSetParameterAttributesStruct;
    int __size;
};

struct cwmp__ParameterAttributeStruct {
    xsd__string Name 1;
    xsd__int Notification 1;
    struct AccessList AccessList 1;
};

struct ParameterAttributeList {
    struct cwmp__ParameterAttributeStruct *__ptrParameterAttributeStruct;
    int __size;
};

struct cwmp__TransferCompleteFaultStruct {
    xsd__unsignedInt FaultCode 1;
    xsd__string FaultString 1;
};

// A repeated element read into a gSOAP block list: plain char* (arena memory), because gSOAP does
// not run the destructors of C++ members when a parse fails inside such a list (found by
// fuzz_soap_decode: a leaked std::string).
struct cwmp__SetParameterValuesFault {
    char *ParameterName 1;
    xsd__unsignedInt FaultCode 1;
    char *FaultString 0;
};

// ---- RPC elements (Annex A.3, A.4) ----

struct _cwmp__Inform {
    struct cwmp__DeviceIdStruct DeviceId 1;
    struct EventList Event 1;
    xsd__unsignedInt MaxEnvelopes 1;
    xsd__dateTime CurrentTime 1;
    xsd__unsignedInt RetryCount 1;
    struct ParameterValueList ParameterList 1;
};

struct _cwmp__InformResponse {
    xsd__unsignedInt MaxEnvelopes 1;
};

struct _cwmp__TransferComplete {
    xsd__string CommandKey 1;
    struct cwmp__TransferCompleteFaultStruct FaultStruct 1;
    xsd__dateTime StartTime 1;
    xsd__dateTime CompleteTime 1;
};

struct _cwmp__TransferCompleteResponse { };

struct _cwmp__GetRPCMethods { };

struct _cwmp__GetRPCMethodsResponse {
    struct MethodList MethodList 1;
};

struct _cwmp__SetParameterValues {
    struct ParameterValueList ParameterList 1;
    xsd__string ParameterKey 1;
};

struct _cwmp__SetParameterValuesResponse {
    xsd__int Status 1;
};

struct _cwmp__GetParameterValues {
    struct ParameterNames ParameterNames 1;
};

struct _cwmp__GetParameterValuesResponse {
    struct ParameterValueList ParameterList 1;
};

struct _cwmp__GetParameterNames {
    xsd__string ParameterPath 1;
    xsd__boolean NextLevel 1;
};

struct _cwmp__GetParameterNamesResponse {
    struct ParameterInfoList ParameterList 1;
};

struct _cwmp__SetParameterAttributes {
    struct SetParameterAttributesList ParameterList 1;
};

struct _cwmp__SetParameterAttributesResponse { };

struct _cwmp__GetParameterAttributes {
    struct ParameterNames ParameterNames 1;
};

struct _cwmp__GetParameterAttributesResponse {
    struct ParameterAttributeList ParameterList 1;
};

struct _cwmp__AddObject {
    xsd__string ObjectName 1;
    xsd__string ParameterKey 1;
};

struct _cwmp__AddObjectResponse {
    xsd__unsignedInt InstanceNumber 1;
    xsd__int Status 1;
};

struct _cwmp__DeleteObject {
    xsd__string ObjectName 1;
    xsd__string ParameterKey 1;
};

struct _cwmp__DeleteObjectResponse {
    xsd__int Status 1;
};

struct _cwmp__Download {
    xsd__string CommandKey 1;
    xsd__string FileType 1;
    xsd__string URL 1;
    xsd__string Username 1;
    xsd__string Password 1;
    xsd__unsignedInt FileSize 1;
    xsd__string TargetFileName 1;
    xsd__unsignedInt DelaySeconds 1;
    xsd__string SuccessURL 1;
    xsd__string FailureURL 1;
};

struct _cwmp__DownloadResponse {
    xsd__int Status 1;
    xsd__dateTime StartTime 1;
    xsd__dateTime CompleteTime 1;
};

struct _cwmp__Reboot {
    xsd__string CommandKey 1;
};

struct _cwmp__RebootResponse { };

struct _cwmp__FactoryReset { };

struct _cwmp__FactoryResetResponse { };

struct _cwmp__ScheduleInform {
    xsd__unsignedInt DelaySeconds 1;
    xsd__string CommandKey 1;
};

struct _cwmp__ScheduleInformResponse { };

// detail/cwmp:Fault (§A.5).
struct _cwmp__Fault {
    xsd__unsignedInt FaultCode 1;
    xsd__string *FaultString 0;
    int __sizeSetParameterValuesFault 0;
    struct cwmp__SetParameterValuesFault *SetParameterValuesFault 0;
};

// ---- SOAP 1.1 Fault (SOAP 1.1 §4.4) ----

struct SOAP_ENV__Detail {
    struct _cwmp__Fault *cwmp__Fault 0;
    int __type;
    void *fault;
    _XML __any;
};

struct SOAP_ENV__Code {
    _QName SOAP_ENV__Value;
    struct SOAP_ENV__Code *SOAP_ENV__Subcode;
};

struct SOAP_ENV__Reason {
    char *SOAP_ENV__Text;
};

struct SOAP_ENV__Fault {
    _QName faultcode;
    char *faultstring;
    char *faultactor;
    struct SOAP_ENV__Detail *detail;
    struct SOAP_ENV__Code *SOAP_ENV__Code;
    struct SOAP_ENV__Reason *SOAP_ENV__Reason;
    char *SOAP_ENV__Node;
    char *SOAP_ENV__Role;
    struct SOAP_ENV__Detail *SOAP_ENV__Detail;
};
