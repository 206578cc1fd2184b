// cwmp/codec.h: round trips of every message in every namespace, envelopes as GenieACS writes
// them (lib/soap.ts: soap-env/soap-enc prefixes, arrays with soap-enc:arrayType, NextLevel as
// 0/1), and hostile input: garbage, truncation, limits, unknown RPCs and headers.
#include "cwmp/codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cwmp {
namespace {

using common::Errc;

Inform sample_inform() {
    Inform m;
    m.device_id = {"Example & Co <Labs>", "00D09E", "IP-Phone", "SN-0001"};
    m.events = {{"0 BOOTSTRAP", ""}, {"1 BOOT", ""}, {"M Download", "cmd-42"}, {"4 VALUE CHANGE", ""}};
    m.max_envelopes = 1;
    m.current_time = "2024-05-01T12:00:00Z";
    m.retry_count = 2;
    m.parameter_list = {
        {"Device.DeviceInfo.SoftwareVersion", "1.2.3", ValueType::string},
        {"Device.ManagementServer.PeriodicInformInterval", "300", ValueType::unsignedInt},
        {"Device.ManagementServer.PeriodicInformEnable", "true", ValueType::boolean},
        {"Device.Security.Certificate.1.NotAfter", "2025-05-01T12:00:00Z", ValueType::dateTime},
        {"Device.X_00D09E_Test.Int", "-7", ValueType::int_},
        {"Device.X_00D09E_Test.Long", "-9000000000", ValueType::long_},
        {"Device.X_00D09E_Test.ULong", "18000000000000000000", ValueType::unsignedLong},
        {"Device.X_00D09E_Test.Blob", "AAEC", ValueType::base64},
        {"Device.X_00D09E_Test.Hex", "0A0B", ValueType::hexBinary},
        {"Device.X_00D09E_Test.Text", "\xc3\xa9t\xc3\xa9 <&> \"quoted\" 'x'", ValueType::string},
    };
    return m;
}

// One of every body the codec knows, with non-default values.
std::vector<Body> every_body() {
    std::vector<Body> bodies;
    bodies.emplace_back(sample_inform());
    bodies.emplace_back(Inform{});  // no events, no parameters: empty arrays
    bodies.emplace_back(InformResponse{1});
    bodies.emplace_back(TransferComplete{"cmd-42", {9010, "File transfer failure: file corrupted"},
                                         "2024-05-01T12:00:00Z", "2024-05-01T12:00:05Z"});
    bodies.emplace_back(TransferComplete{"cmd-43", {0, ""}, std::string(unknown_time), std::string(unknown_time)});
    bodies.emplace_back(TransferCompleteResponse{});
    bodies.emplace_back(GetRPCMethods{});
    bodies.emplace_back(GetRPCMethodsResponse{{"GetRPCMethods", "GetParameterNames", "GetParameterValues",
                                               "SetParameterValues", "Download", "Reboot"}});
    bodies.emplace_back(SetParameterValues{{{"Device.ManagementServer.PeriodicInformInterval", "60",
                                             ValueType::unsignedInt},
                                            {"Device.X_00D09E_Profile.1.Url", "http://ra/x?a=1&b=2",
                                             ValueType::string}},
                                           "key-1"});
    bodies.emplace_back(SetParameterValuesResponse{Status::not_yet_applied});
    bodies.emplace_back(GetParameterValues{{"Device.DeviceInfo.", "Device.Security.Certificate.1.NotAfter"}});
    bodies.emplace_back(GetParameterValuesResponse{{{"Device.DeviceInfo.Manufacturer", "Example", ValueType::string}}});
    bodies.emplace_back(GetParameterValuesResponse{});
    bodies.emplace_back(GetParameterNames{"Device.Security.", true});
    bodies.emplace_back(GetParameterNamesResponse{{{"Device.Security.Certificate.", false},
                                                   {"Device.ManagementServer.URL", true}}});
    bodies.emplace_back(SetParameterAttributes{{{"Device.Security.Certificate.1.NotAfter", true,
                                                 Notification::active, false, {}},
                                                {"Device.DeviceInfo.SoftwareVersion", true,
                                                 Notification::passive, true, {"Subscriber"}}}});
    bodies.emplace_back(SetParameterAttributesResponse{});
    bodies.emplace_back(GetParameterAttributes{{"Device.Security."}});
    bodies.emplace_back(GetParameterAttributesResponse{{{"Device.Security.Certificate.1.NotAfter",
                                                         Notification::active, {}},
                                                        {"Device.DeviceInfo.SoftwareVersion",
                                                         Notification::off, {"Subscriber"}}}});
    bodies.emplace_back(AddObject{"Device.X_00D09E_Profile.", "key-2"});
    bodies.emplace_back(AddObjectResponse{7, Status::applied});
    bodies.emplace_back(DeleteObject{"Device.X_00D09E_Profile.7.", "key-3"});
    bodies.emplace_back(DeleteObjectResponse{Status::applied});
    bodies.emplace_back(Download{"cmd-42", "3 Vendor Configuration File", "https://acs.example/profile.conf",
                                 "user", "p&ss<word>", 1234, "profile.conf", 5,
                                 "https://acs.example/ok", "https://acs.example/fail"});
    bodies.emplace_back(DownloadResponse{Status::not_yet_applied, std::string(unknown_time),
                                         std::string(unknown_time)});
    bodies.emplace_back(Reboot{"cmd-reboot"});
    bodies.emplace_back(RebootResponse{});
    bodies.emplace_back(FactoryReset{});
    bodies.emplace_back(FactoryResetResponse{});
    bodies.emplace_back(ScheduleInform{30, "cmd-si"});
    bodies.emplace_back(ScheduleInformResponse{});
    bodies.emplace_back(make_fault(FaultCode::method_not_supported));
    Fault spv = make_fault(FaultCode::invalid_arguments);
    spv.detail->set_parameter_values_faults = {
        {"Device.Nope", 9005, "Invalid parameter name"},
        {"Device.ManagementServer.PeriodicInformInterval", 9007, "Invalid parameter value"}};
    bodies.emplace_back(spv);
    bodies.emplace_back(Fault{SoapFaultCode::must_understand, "SOAP header not understood", std::nullopt});
    return bodies;
}

TEST(CwmpCodec, EveryMessageRoundTripsInEveryNamespace) {
    for (CwmpVersion version : {CwmpVersion::v1_0, CwmpVersion::v1_1, CwmpVersion::v1_2}) {
        for (const Body& body : every_body()) {
            Envelope envelope{Header{}, body, version};
            envelope.header.id = "id-" + std::string(method_name(body));
            auto xml = encode(envelope, version);
            ASSERT_TRUE(xml) << method_name(body) << ": " << xml.error().to_string();
            EXPECT_NE(xml->find(namespace_uri(version)), std::string::npos);
            auto decoded = decode(*xml);
            ASSERT_TRUE(decoded) << method_name(body) << ": " << decoded.error().to_string() << "\n" << *xml;
            EXPECT_EQ(*decoded, envelope) << method_name(body) << "\n" << *xml;
        }
    }
}

TEST(CwmpCodec, HeaderFieldsRoundTrip) {
    Envelope envelope{Header{}, GetRPCMethods{}, CwmpVersion::v1_2};
    envelope.header = {"x&y", true, false, 30, "1.0,1.1,1.2,1.3,1.4", "1.4", {}};
    auto xml = encode(envelope, CwmpVersion::v1_2);
    ASSERT_TRUE(xml) << xml.error().to_string();
    EXPECT_NE(xml->find("<cwmp:ID SOAP-ENV:mustUnderstand=\"1\">x&amp;y</cwmp:ID>"), std::string::npos) << *xml;
    EXPECT_NE(xml->find("<cwmp:HoldRequests SOAP-ENV:mustUnderstand=\"1\">true</cwmp:HoldRequests>"),
              std::string::npos) << *xml;
    auto decoded = decode(*xml);
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(*decoded, envelope);
}

TEST(CwmpCodec, InformIsWrittenAsTheSchemaWantsIt) {
    Envelope envelope{Header{"1", {}, {}, {}, {}, {}, {}}, sample_inform(), CwmpVersion::v1_0};
    auto xml = encode(envelope, CwmpVersion::v1_0);
    ASSERT_TRUE(xml);
    EXPECT_NE(xml->find("<Event SOAP-ENC:arrayType=\"cwmp:EventStruct[4]\">"), std::string::npos) << *xml;
    EXPECT_NE(xml->find("SOAP-ENC:arrayType=\"cwmp:ParameterValueStruct[10]\""), std::string::npos);
    EXPECT_NE(xml->find("<Value xsi:type=\"xsd:unsignedInt\">300</Value>"), std::string::npos);
    EXPECT_NE(xml->find("<Value xsi:type=\"SOAP-ENC:base64\">AAEC</Value>"), std::string::npos);
    EXPECT_NE(xml->find("<Manufacturer>Example &amp; Co &lt;Labs&gt;</Manufacturer>"), std::string::npos);
    // Empty lists still say what they hold.
    auto empty = encode(Envelope{Header{}, GetParameterValuesResponse{}, CwmpVersion::v1_0}, CwmpVersion::v1_0);
    ASSERT_TRUE(empty);
    EXPECT_NE(empty->find("SOAP-ENC:arrayType=\"cwmp:ParameterValueStruct[0]\""), std::string::npos) << *empty;
}

TEST(CwmpCodec, Cwmp10GetsOnlyTheFaultCodesItsSchemaKnows) {
    const auto round = [](const Body& body, CwmpVersion version) {
        auto xml = encode(Envelope{Header{}, body, version}, version);
        EXPECT_TRUE(xml);
        auto back = decode(xml.value());
        EXPECT_TRUE(back);
        return back.value().body;
    };
    const TransferComplete corrupted{"k", {9018, "file corrupted"}, "2024-05-01T12:00:00Z", "2024-05-01T12:00:01Z"};
    EXPECT_EQ(std::get<TransferComplete>(round(corrupted, CwmpVersion::v1_0)).fault_struct,
              (TransferCompleteFaultStruct{9010, "file corrupted"}));
    EXPECT_EQ(std::get<TransferComplete>(round(corrupted, CwmpVersion::v1_1)).fault_struct.fault_code, 9018u);
    const TransferComplete bad_name{"k", {9005, "x"}, "2024-05-01T12:00:00Z", "2024-05-01T12:00:01Z"};
    EXPECT_EQ(std::get<TransferComplete>(round(bad_name, CwmpVersion::v1_0)).fault_struct.fault_code, 9002u);
    EXPECT_EQ(std::get<Fault>(round(make_fault(FaultCode::file_authentication_failure), CwmpVersion::v1_0))
                  .detail->fault_code, 9010u);
    EXPECT_EQ(std::get<Fault>(round(make_fault(FaultCode::unsupported_file_transfer_protocol), CwmpVersion::v1_0))
                  .detail->fault_code, 9013u);
    EXPECT_EQ(std::get<Fault>(round(make_fault(FaultCode::file_authentication_failure), CwmpVersion::v1_2))
                  .detail->fault_code, 9019u);
}

TEST(CwmpCodec, UnknownMethodIsNotEncodable) {
    auto xml = encode(Envelope{Header{}, UnknownMethod{"Upload", "urn:dslforum-org:cwmp-1-0"}, CwmpVersion::v1_0},
                      CwmpVersion::v1_0);
    ASSERT_FALSE(xml);
    EXPECT_EQ(xml.error().code(), Errc::invalid_argument);
}

TEST(CwmpCodec, TextXmlCannotCarryIsRefused) {
    Envelope bad_utf8{Header{}, GetParameterValuesResponse{{{"Device.X", "\xff\xfe", ValueType::string}}},
                      CwmpVersion::v1_0};
    EXPECT_FALSE(encode(bad_utf8, CwmpVersion::v1_0));
    Envelope control{Header{}, GetParameterValuesResponse{{{"Device.X", std::string("a\x01z"), ValueType::string}}},
                     CwmpVersion::v1_0};
    EXPECT_FALSE(encode(control, CwmpVersion::v1_0));
}

// ---- what an ACS sends (GenieACS lib/soap.ts shapes) ----

std::string genieacs(std::string_view body, std::string_view ns = "urn:dslforum-org:cwmp-1-0",
                     std::string_view id = "2c4ab0e2") {
    return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") +
           "<soap-env:Envelope xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" "
           "xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
           "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:cwmp=\"" +
           std::string(ns) + "\"><soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">" + std::string(id) +
           "</cwmp:ID></soap-env:Header><soap-env:Body>" + std::string(body) +
           "</soap-env:Body></soap-env:Envelope>";
}

TEST(CwmpCodecAcs, GenieAcsGetParameterValues) {
    auto e = decode(genieacs(
        "<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType=\"xsd:string[2]\">"
        "<string>Device.DeviceInfo.</string><string>Device.Security.Certificate.1.NotAfter</string>"
        "</ParameterNames></cwmp:GetParameterValues>"));
    ASSERT_TRUE(e) << e.error().to_string();
    EXPECT_EQ(e->version, CwmpVersion::v1_0);
    EXPECT_EQ(e->header.id, "2c4ab0e2");
    ASSERT_TRUE(std::holds_alternative<GetParameterValues>(e->body));
    EXPECT_EQ(std::get<GetParameterValues>(e->body).parameter_names,
              (std::vector<std::string>{"Device.DeviceInfo.", "Device.Security.Certificate.1.NotAfter"}));
}

TEST(CwmpCodecAcs, GenieAcsSetParameterValuesWithTypes) {
    auto e = decode(genieacs(
        "<cwmp:SetParameterValues><ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[3]\">"
        "<ParameterValueStruct><Name>Device.ManagementServer.PeriodicInformInterval</Name>"
        "<Value xsi:type=\"xsd:unsignedInt\">600</Value></ParameterValueStruct>"
        "<ParameterValueStruct><Name>Device.ManagementServer.PeriodicInformEnable</Name>"
        "<Value xsi:type=\"xsd:boolean\">1</Value></ParameterValueStruct>"
        "<ParameterValueStruct><Name>Device.X_00D09E_Profile.1.Subject</Name>"
        "<Value xsi:type=\"xsd:string\">CN=a&amp;b</Value></ParameterValueStruct>"
        "</ParameterList><ParameterKey>v7</ParameterKey></cwmp:SetParameterValues>"));
    ASSERT_TRUE(e) << e.error().to_string();
    const auto& spv = std::get<SetParameterValues>(e->body);
    EXPECT_EQ(spv.parameter_key, "v7");
    ASSERT_EQ(spv.parameter_list.size(), 3u);
    EXPECT_EQ(spv.parameter_list[0], (ParameterValueStruct{"Device.ManagementServer.PeriodicInformInterval", "600",
                                                           ValueType::unsignedInt}));
    EXPECT_EQ(spv.parameter_list[1].value, "1");  // kept as text: the data model reads booleans
    EXPECT_EQ(spv.parameter_list[1].type, ValueType::boolean);
    EXPECT_EQ(spv.parameter_list[2].value, "CN=a&b");
}

TEST(CwmpCodecAcs, GenieAcsOtherRequests) {
    auto gpn = decode(genieacs("<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath>"
                               "<NextLevel>1</NextLevel></cwmp:GetParameterNames>"));
    ASSERT_TRUE(gpn) << gpn.error().to_string();
    EXPECT_EQ(std::get<GetParameterNames>(gpn->body), (GetParameterNames{"Device.", true}));

    auto add = decode(genieacs("<cwmp:AddObject><ObjectName>Device.X_00D09E_Profile.</ObjectName>"
                               "<ParameterKey></ParameterKey></cwmp:AddObject>"));
    ASSERT_TRUE(add);
    EXPECT_EQ(std::get<AddObject>(add->body), (AddObject{"Device.X_00D09E_Profile.", ""}));

    auto del = decode(genieacs("<cwmp:DeleteObject><ObjectName>Device.X_00D09E_Profile.2.</ObjectName>"
                               "<ParameterKey>k</ParameterKey></cwmp:DeleteObject>"));
    ASSERT_TRUE(del);
    EXPECT_EQ(std::get<DeleteObject>(del->body), (DeleteObject{"Device.X_00D09E_Profile.2.", "k"}));

    auto reboot = decode(genieacs("<cwmp:Reboot><CommandKey>r1</CommandKey></cwmp:Reboot>"));
    ASSERT_TRUE(reboot);
    EXPECT_EQ(std::get<Reboot>(reboot->body).command_key, "r1");

    auto reset = decode(genieacs("<cwmp:FactoryReset></cwmp:FactoryReset>"));
    ASSERT_TRUE(reset);
    EXPECT_TRUE(std::holds_alternative<FactoryReset>(reset->body));

    auto download = decode(genieacs(
        "<cwmp:Download><CommandKey>dl-1</CommandKey><FileType>3 Vendor Configuration File</FileType>"
        "<URL>http://10.0.0.1:7567/profile.conf</URL><Username></Username><Password></Password>"
        "<FileSize>512</FileSize><TargetFileName>profile.conf</TargetFileName><DelaySeconds>0</DelaySeconds>"
        "<SuccessURL></SuccessURL><FailureURL></FailureURL></cwmp:Download>"));
    ASSERT_TRUE(download) << download.error().to_string();
    const auto& d = std::get<Download>(download->body);
    EXPECT_EQ(d.file_type, "3 Vendor Configuration File");
    EXPECT_EQ(d.url, "http://10.0.0.1:7567/profile.conf");
    EXPECT_EQ(d.file_size, 512u);

    auto inform_response = decode(genieacs("<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>"));
    ASSERT_TRUE(inform_response);
    EXPECT_EQ(std::get<InformResponse>(inform_response->body).max_envelopes, 1u);

    auto tc_response = decode(genieacs("<cwmp:TransferCompleteResponse></cwmp:TransferCompleteResponse>"));
    ASSERT_TRUE(tc_response);
    EXPECT_TRUE(std::holds_alternative<TransferCompleteResponse>(tc_response->body));

    auto methods = decode(genieacs("<cwmp:GetRPCMethodsResponse><MethodList soap-enc:arrayType=\"xsd:string[2]\">"
                                   "<string>Inform</string><string>TransferComplete</string>"
                                   "</MethodList></cwmp:GetRPCMethodsResponse>"));
    ASSERT_TRUE(methods);
    EXPECT_EQ(std::get<GetRPCMethodsResponse>(methods->body).method_list.size(), 2u);

    auto spa = decode(genieacs(
        "<cwmp:SetParameterAttributes><ParameterList soap-enc:arrayType=\"cwmp:SetParameterAttributesStruct[1]\">"
        "<SetParameterAttributesStruct><Name>Device.Security.Certificate.</Name>"
        "<NotificationChange>true</NotificationChange><Notification>2</Notification>"
        "<AccessListChange>false</AccessListChange><AccessList soap-enc:arrayType=\"xsd:string[0]\"/>"
        "</SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>"));
    ASSERT_TRUE(spa) << spa.error().to_string();
    EXPECT_EQ(std::get<SetParameterAttributes>(spa->body).parameter_list.at(0).notification, Notification::active);

    auto schedule = decode(genieacs("<cwmp:ScheduleInform><DelaySeconds>60</DelaySeconds>"
                                    "<CommandKey>s</CommandKey></cwmp:ScheduleInform>"));
    ASSERT_TRUE(schedule);
    EXPECT_EQ(std::get<ScheduleInform>(schedule->body), (ScheduleInform{60, "s"}));
}

TEST(CwmpCodecAcs, EveryNamespaceVersionIsAcceptedAndReported) {
    const std::string body = "<cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>";
    struct Case {
        const char* ns;
        CwmpVersion version;
    };
    for (const Case& c : {Case{"urn:dslforum-org:cwmp-1-0", CwmpVersion::v1_0},
                          Case{"urn:dslforum-org:cwmp-1-1", CwmpVersion::v1_1},
                          Case{"urn:dslforum-org:cwmp-1-2", CwmpVersion::v1_2},
                          Case{"urn:dslforum-org:cwmp-1-3", CwmpVersion::v1_2},    // GenieACS for 1.4
                          Case{"urn:dslforum-org:cwmp-1-4", CwmpVersion::v1_2}}) {
        auto e = decode(genieacs(body, c.ns));
        ASSERT_TRUE(e) << c.ns << ": " << e.error().to_string();
        EXPECT_EQ(e->version, c.version) << c.ns;
        EXPECT_EQ(std::get<Reboot>(e->body).command_key, "k");
    }
}

TEST(CwmpCodecAcs, AnyPrefixesAndDefaultNamespaces) {
    const std::string xml =
        "<E:Envelope xmlns:E=\"http://schemas.xmlsoap.org/soap/envelope/\">"
        "<E:Header><ID xmlns=\"urn:dslforum-org:cwmp-1-1\" E:mustUnderstand=\"1\">77</ID></E:Header>"
        "<E:Body><GetParameterNames xmlns=\"urn:dslforum-org:cwmp-1-1\">"
        "<ParameterPath xmlns=\"\">Device.DeviceInfo.</ParameterPath><NextLevel xmlns=\"\">false</NextLevel>"
        "</GetParameterNames></E:Body></E:Envelope>";
    auto e = decode(xml);
    ASSERT_TRUE(e) << e.error().to_string();
    EXPECT_EQ(e->version, CwmpVersion::v1_1);
    EXPECT_EQ(e->header.id, "77");
    EXPECT_EQ(std::get<GetParameterNames>(e->body), (GetParameterNames{"Device.DeviceInfo.", false}));
}

TEST(CwmpCodecAcs, IdWithoutMustUnderstandIsTolerated) {
    std::string xml = genieacs("<cwmp:FactoryReset/>");
    const std::string attr = " soap-env:mustUnderstand=\"1\"";
    xml.erase(xml.find(attr), attr.size());
    auto e = decode(xml);
    ASSERT_TRUE(e) << e.error().to_string();
    EXPECT_EQ(e->header.id, "2c4ab0e2");
}

TEST(CwmpCodecAcs, AcsFaultIsDecoded) {
    auto e = decode(genieacs(
        "<soap-env:Fault><faultcode>Server</faultcode><faultstring>CWMP fault</faultstring><detail>"
        "<cwmp:Fault><FaultCode>8005</FaultCode><FaultString>Retry request</FaultString></cwmp:Fault>"
        "</detail></soap-env:Fault>"));
    ASSERT_TRUE(e) << e.error().to_string();
    const auto& fault = std::get<Fault>(e->body);
    ASSERT_TRUE(fault.detail);
    EXPECT_EQ(fault.detail->fault_code, static_cast<std::uint32_t>(AcsFaultCode::retry_request));
    EXPECT_EQ(fault.faultcode, SoapFaultCode::server);
}

TEST(CwmpCodecAcs, UnknownRpcBecomesUnknownMethod) {
    auto upload = decode(genieacs("<cwmp:Upload><CommandKey>u</CommandKey><FileType>1 Vendor Configuration File"
                                  "</FileType><URL>http://x/</URL></cwmp:Upload>"));
    ASSERT_TRUE(upload) << upload.error().to_string();
    const auto& unknown = std::get<UnknownMethod>(upload->body);
    EXPECT_EQ(unknown.name, "Upload");
    EXPECT_EQ(unknown.namespace_uri, "urn:dslforum-org:cwmp-1-0");
    EXPECT_EQ(method_name(upload->body), "Upload");
    EXPECT_EQ(upload->header.id, "2c4ab0e2");  // so the session can answer 9000 to this ID

    auto foreign = decode(genieacs("<x:Reboot xmlns:x=\"urn:example:other\"><CommandKey/></x:Reboot>"));
    ASSERT_TRUE(foreign) << foreign.error().to_string();
    EXPECT_EQ(std::get<UnknownMethod>(foreign->body).namespace_uri, "urn:example:other");
}

TEST(CwmpCodecAcs, UnknownMustUnderstandHeaderIsReported) {
    std::string xml = genieacs("<cwmp:GetRPCMethods/>");
    const std::string extra =
        "<v:Secret xmlns:v=\"urn:example:vendor\" soap-env:mustUnderstand=\"1\">x</v:Secret>"
        "<v:Hint xmlns:v=\"urn:example:vendor\" soap-env:mustUnderstand=\"0\">y</v:Hint>";
    xml.insert(xml.find("</soap-env:Header>"), extra);
    auto e = decode(xml);
    ASSERT_TRUE(e) << e.error().to_string();
    EXPECT_EQ(e->header.not_understood, std::vector<std::string>{"{urn:example:vendor}Secret"});
    EXPECT_TRUE(std::holds_alternative<GetRPCMethods>(e->body));
}

TEST(CwmpCodecAcs, UnknownChildElementsAreIgnored) {
    auto e = decode(genieacs("<cwmp:Reboot><CommandKey>k</CommandKey><X_Extra>1</X_Extra></cwmp:Reboot>"));
    ASSERT_TRUE(e) << e.error().to_string();
    EXPECT_EQ(std::get<Reboot>(e->body).command_key, "k");
}

// ---- bad input ----

void expect_error(std::string_view xml, std::string_view why, const DecodeLimits& limits = {}) {
    auto e = decode(xml, limits);
    EXPECT_FALSE(e) << why;
    if (!e) {
        EXPECT_TRUE(e.error().code() == Errc::parse || e.error().code() == Errc::protocol)
            << why << ": " << e.error().to_string();
        EXPECT_NE(e.error().message().find("SOAP decode"), std::string::npos) << e.error().to_string();
    }
}

TEST(CwmpCodecBadInput, GarbageAndTruncation) {
    expect_error("", "empty");
    expect_error("   \r\n", "blank");
    expect_error("hello", "not XML");
    expect_error("POST / HTTP/1.1\r\nHost: x\r\n\r\n<a/>", "an HTTP request");
    expect_error("\x00\x01\x02\x03", "binary");
    expect_error("<not-soap/>", "not an envelope");
    expect_error("<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\"/>", "no body");
    expect_error(genieacs(""), "empty body");
    expect_error("<a><b></a></b>", "misnested");
    const std::string full = genieacs(
        "<cwmp:SetParameterValues><ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[1]\">"
        "<ParameterValueStruct><Name>Device.A</Name><Value xsi:type=\"xsd:string\">v</Value>"
        "</ParameterValueStruct></ParameterList><ParameterKey>k</ParameterKey></cwmp:SetParameterValues>");
    ASSERT_TRUE(decode(full));
    for (std::size_t cut = 0; cut < full.size(); cut += 7) {
        auto e = decode(std::string_view(full).substr(0, cut));
        EXPECT_FALSE(e) << "truncated at " << cut;
    }
}

TEST(CwmpCodecBadInput, WrongNamespaces) {
    const std::string soap12 =
        "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" "
        "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><e:Body><cwmp:Reboot><CommandKey/></cwmp:Reboot>"
        "</e:Body></e:Envelope>";
    expect_error(soap12, "SOAP 1.2 envelope");
    expect_error(genieacs("<cwmp:Reboot><CommandKey/></cwmp:Reboot>", "urn:dslforum-org:cwmp-2-0"), "cwmp-2-0");
    expect_error(genieacs("<cwmp:Reboot><CommandKey/></cwmp:Reboot>", "urn:dslforum-org:cwmp-1-9"), "cwmp-1-9");
    expect_error("<Envelope><Body><Reboot/></Body></Envelope>", "no namespaces at all");
}

TEST(CwmpCodecBadInput, ValuesThatDoNotParse) {
    expect_error(genieacs("<cwmp:ScheduleInform><DelaySeconds>soon</DelaySeconds><CommandKey/></cwmp:ScheduleInform>"),
                 "unsignedInt as text");
    expect_error(genieacs("<cwmp:ScheduleInform><DelaySeconds>-5</DelaySeconds><CommandKey/></cwmp:ScheduleInform>"),
                 "negative unsignedInt");
    expect_error(genieacs("<cwmp:SetParameterValuesResponse><Status>7</Status></cwmp:SetParameterValuesResponse>"),
                 "Status 7");
    expect_error(genieacs("<cwmp:SetParameterValues><ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[1]\">"
                          "<ParameterValueStruct><Name>Device.A</Name><Value xsi:type=\"xsd:duration\">P1D</Value>"
                          "</ParameterValueStruct></ParameterList><ParameterKey/></cwmp:SetParameterValues>"),
                 "unsupported xsi:type");
    expect_error(genieacs("<cwmp:Reboot><CommandKey>a</CommandKey></cwmp:Reboot><cwmp:Reboot/>"), "two bodies");
}

TEST(CwmpCodecBadInput, LimitsHold) {
    DecodeLimits small;
    small.max_bytes = 200;
    expect_error(genieacs("<cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>"), "over max_bytes", small);

    std::string deep = "<cwmp:Reboot><CommandKey>k</CommandKey>";
    for (int i = 0; i < 100; ++i) deep += "<X_a>";
    for (int i = 0; i < 100; ++i) deep += "</X_a>";
    deep += "</cwmp:Reboot>";
    expect_error(genieacs(deep), "nesting beyond max_depth");

    std::string many = "<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType=\"xsd:string[60000]\">";
    for (int i = 0; i < 60000; ++i) many += "<string>D.</string>";
    many += "</ParameterNames></cwmp:GetParameterValues>";
    expect_error(genieacs(many), "elements beyond max_elements");

    DecodeLimits big_input;
    big_input.max_bytes = 8 * 1024 * 1024;
    std::string long_text = "<cwmp:Reboot><CommandKey>" + std::string(100000, 'k') + "</CommandKey></cwmp:Reboot>";
    expect_error(genieacs(long_text), "text beyond max_text", big_input);

    // An arrayType that promises more than it holds must not allocate it.
    auto liar = decode(genieacs("<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType=\"xsd:string[2000000000]\">"
                                "<string>D.</string></ParameterNames></cwmp:GetParameterValues>"));
    if (liar) {
        EXPECT_EQ(std::get<GetParameterValues>(liar->body).parameter_names.size(), 1u);
    }

    // 20 MB of junk is refused before parsing.
    const std::string huge(20 * 1024 * 1024, '<');
    expect_error(huge, "20 MB");
}

TEST(CwmpCodecBadInput, EntitiesAreNotExpanded) {
    const std::string bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>" +
        genieacs("<cwmp:Reboot><CommandKey>&lol2;</CommandKey></cwmp:Reboot>").substr(39);
    auto e = decode(bomb);
    if (e) {
        EXPECT_LT(std::get<Reboot>(e->body).command_key.size(), 64u);
    }
}

// ---- the fault table ----

TEST(CwmpFaults, Table61) {
    EXPECT_EQ(fault_string(9000), "Method not supported");
    EXPECT_EQ(fault_string(9005), "Invalid parameter name");
    EXPECT_EQ(fault_string(9008), "Attempt to set a non-writable parameter");
    EXPECT_EQ(fault_string(9019), "File transfer failure: file authentication failure");
    EXPECT_EQ(fault_string(9850), "Vendor defined fault");
    EXPECT_EQ(fault_string(1234), "Unknown fault");
    for (std::uint32_t code = 9000; code <= 9019; ++code) {
        EXPECT_NE(fault_string(code), "Unknown fault") << code;
    }
    EXPECT_EQ(soap_fault_code_for(9003), SoapFaultCode::client);
    EXPECT_EQ(soap_fault_code_for(9007), SoapFaultCode::client);
    EXPECT_EQ(soap_fault_code_for(9002), SoapFaultCode::server);
    const Fault f = make_fault(FaultCode::invalid_parameter_type);
    EXPECT_EQ(f.faultcode, SoapFaultCode::client);
    EXPECT_EQ(f.faultstring, "CWMP fault");
    EXPECT_EQ(f.detail->fault_code, 9006u);
    EXPECT_EQ(f.detail->fault_string, "Invalid parameter type");
    EXPECT_EQ(make_fault(FaultCode::internal_error, "disk full").detail->fault_string, "disk full");
}

}  // namespace
}  // namespace cwmp
