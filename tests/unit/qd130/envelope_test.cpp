// Envelope decoding: every input shape, every §8 pitfall, bad input.
#include "adapters/qd130/envelope.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "adapters/qd130/codes.hpp"
#include "adapters/qd130/detail/field_rules.hpp"
#include "adapters/qd130/detail/text.hpp"
#include "adapters/qd130/detail/unicode.hpp"
#include "fhir/text.hpp"
#include "tests/unit/qd130/test_util.hpp"

namespace gw::qd130 {
namespace {

using fhir::issue_code;
using fhir::severity;
using namespace gw::qd130::test;

const row& xml1_of(const decode_result& r) {
  static const row empty;
  if (r.env.records.empty() || r.env.records[0].first(table_id::xml1) == nullptr) {
    ADD_FAILURE() << "no XML1\n" << describe(r.issues);
    return empty;
  }
  return *r.env.records[0].first(table_id::xml1);
}

// ---------------------------------------------------------------------------------------------
// The sample and the input shapes

TEST(Qd130Envelope, SampleDecodesWithoutErrors) {
  const auto r = decode(sample_envelope());
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_FALSE(fhir::has_errors(r.issues)) << describe(r.issues);
  EXPECT_EQ(r.env.kind, input_kind::envelope);
  EXPECT_EQ(r.env.version, schema_version::qd130);
  EXPECT_EQ(r.env.facility_code, "42001");
  EXPECT_EQ(r.env.created, "20261125");
  ASSERT_EQ(r.env.records.size(), 1u);
  const record& rec = r.env.records[0];
  EXPECT_EQ(rec.ma_lk(), "2611200007");
  EXPECT_EQ(rec.rows(table_id::xml1).size(), 1u);
  EXPECT_EQ(rec.rows(table_id::xml2).size(), 2u);
  EXPECT_EQ(rec.rows(table_id::xml3).size(), 3u);
  EXPECT_EQ(rec.rows(table_id::xml4).size(), 2u);
  EXPECT_EQ(rec.rows(table_id::xml5).size(), 1u);
  const row& x1 = xml1_of(r);
  EXPECT_EQ(x1.value("SO_CCCD"), "042078000123");
  EXPECT_EQ(x1.value("HO_TEN"), "Nguyễn Văn Thử");  // CDATA content
  EXPECT_EQ(x1.value("MA_THE_BHYT"), "GD4424299990001");
  EXPECT_EQ(x1.location("MA_LK"), "XML1[STT=1].MA_LK");
  EXPECT_EQ(rec.rows(table_id::xml2)[1].value("LIEU_DUNG"), "1 lọ/lần * 2 lần/ngày * 1 ngày [2 lọ/ngày]");
  EXPECT_EQ(episode_date(rec), 20261125);
}

TEST(Qd130Envelope, DecodedValuesOutliveTheBody) {
  // The envelope is read in the caller's buffer: what the result keeps of it must be copies.
  // Bodies: plain, with CRLF inside NOIDUNGFILE (the copying path), an inner document alone.
  const std::string xml1 = sample_table(1);
  for (const std::string& original :
       {sample_envelope(), make_envelope({{"XML1", xml1}}, "42001", 76), xml1, base64(sample_envelope())}) {
    decode_result r;
    {
      std::string body = original;
      r = decode(body);
      std::fill(body.begin(), body.end(), 'x');
    }
    ASSERT_TRUE(r.usable()) << describe(r.issues);
    const record& rec = r.env.records[0];
    EXPECT_EQ(rec.ma_lk(), "2611200007");
    EXPECT_EQ(rec.rows(table_id::xml1)[0].value("MA_THE_BHYT"), "GD4424299990001");
    if (r.env.kind == input_kind::inner_document) continue;
    EXPECT_EQ(r.env.facility_code, "42001");
    EXPECT_EQ(r.env.created, "20261125");
    ASSERT_FALSE(rec.file_types.empty());
    EXPECT_EQ(rec.file_types[0], "XML1");
  }
}

TEST(Qd130Envelope, SingleInnerDocument) {
  const auto r = decode(sample_table(2));
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_EQ(r.env.kind, input_kind::inner_document);
  ASSERT_EQ(r.env.records.size(), 1u);
  EXPECT_EQ(r.env.records[0].rows(table_id::xml2).size(), 2u);
  EXPECT_TRUE(r.env.records[0].rows(table_id::xml1).empty());
  EXPECT_FALSE(fhir::has_errors(r.issues)) << describe(r.issues);
}

TEST(Qd130Envelope, PortalFormBodyIsDoubleBase64) {
  const std::string env = sample_envelope();
  const std::string body = "username=his&loaiHoSo=130&maTinh=42&maCSKCB=42001&fileHSBase64=" + url_encode(base64(env));
  const auto r = decode(body);
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_EQ(r.env.kind, input_kind::form_body);
  EXPECT_EQ(xml1_of(r).value("SO_CCCD"), "042078000123");
  EXPECT_FALSE(fhir::has_errors(r.issues)) << describe(r.issues);
}

TEST(Qd130Envelope, FormBodyWithUnencodedPlusAndNewlines) {
  // Careless senders leave '+' and '/' raw and wrap the base64; both must still decode.
  const std::string body = "fileHSBase64=" + base64(sample_envelope(), 76);
  const auto r = decode(body);
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_EQ(r.env.kind, input_kind::form_body);
  EXPECT_EQ(r.env.records[0].rows(table_id::xml2).size(), 2u);
}

TEST(Qd130Envelope, BareBase64Envelope) {
  const auto r = decode(base64(sample_envelope(), 64));
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_EQ(r.env.kind, input_kind::base64_envelope);
  EXPECT_EQ(r.env.facility_code, "42001");
}

TEST(Qd130Envelope, Base64WithNewlinesAndSpacesInNoidungfile) {
  const auto r = decode(make_envelope({{"XML1", sample_table(1)}, {"XML2", sample_table(2)}}, "42001", 76));
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_EQ(xml1_of(r).value("MA_LK"), "2611200007");
  std::string env = make_envelope({{"XML1", sample_table(1)}});
  const auto p = env.find("<NOIDUNGFILE>") + 20;
  env.insert(p, "  \n\t ");
  const auto r2 = decode(env);
  ASSERT_TRUE(r2.usable()) << describe(r2.issues);
  EXPECT_EQ(xml1_of(r2).value("MA_LK"), "2611200007");
}

TEST(Qd130Envelope, Utf8BomOnEnvelopeAndInnerDocument) {
  const std::string bom = "\xEF\xBB\xBF";
  const auto r = decode(bom + make_envelope({{"XML1", bom + sample_table(1)}}));
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_EQ(xml1_of(r).value("SO_CCCD"), "042078000123");
  const auto r2 = decode(bom + sample_table(1));
  ASSERT_TRUE(r2.usable()) << describe(r2.issues);
}

// ---------------------------------------------------------------------------------------------
// §8 pitfalls

TEST(Qd130Pitfalls, LeadingZeroCodesStayStringsAndShortCodesArePadded) {
  std::string x1 = set_element(sample_table(1), "MA_LOAI_KCB", "3");  // QĐ 130's numeric type
  x1 = set_element(x1, "MA_DANTOC", "1");
  const auto r = decode(envelope_with_xml1(x1));
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  const row& x = xml1_of(r);
  EXPECT_EQ(x.value("MA_LOAI_KCB"), "03");
  EXPECT_EQ(x.value("MA_DANTOC"), "01");
  EXPECT_EQ(x.value("SO_CCCD"), "042078000123");
  EXPECT_EQ(x.value("MA_NGHE_NGHIEP"), "00000");
  EXPECT_EQ(x.value("MA_QUOCTICH"), "000");
  EXPECT_FALSE(fhir::has_errors(r.issues)) << describe(r.issues);
}

TEST(Qd130Pitfalls, UnknownDateParts) {
  const auto r = decode(envelope_with_xml1(set_element(sample_table(1), "NGAY_SINH", "197800000000")));
  ASSERT_TRUE(r.usable());
  EXPECT_EQ(xml1_of(r).value("NGAY_SINH"), "197800000000");
  EXPECT_EQ(find_issue(r.issues, "XML1[STT=1].NGAY_SINH", issue_code::value), nullptr) << describe(r.issues);
  // Unknown parts are only allowed in the birth date.
  const auto r2 = decode(envelope_with_xml1(set_element(sample_table(1), "NGAY_VAO", "202611000815")));
  EXPECT_NE(find_issue(r2.issues, "XML1[STT=1].NGAY_VAO", issue_code::value), nullptr) << describe(r2.issues);
}

TEST(Qd130Pitfalls, LegacyQd4210Archive) {
  const auto r = decode(test_data("qd4210-outpatient-hypertension.xml"));
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_EQ(r.env.version, schema_version::qd4210);
  EXPECT_FALSE(fhir::has_errors(r.issues)) << describe(r.issues);
  const record& rec = r.env.records[0];
  const row& x1 = xml1_of(r);
  EXPECT_EQ(x1.value("MA_THE"), "HT3429999990002");
  EXPECT_EQ(x1.value("MA_BENH"), "I10");
  EXPECT_EQ(x1.value("MA_LOAI_KCB"), "01");  // 4210's 1-digit code, padded
  EXPECT_EQ(x1.value("NGAY_SINH"), "19650101");
  // XML2 and XML3 are rooted at the list element itself: rows found by name.
  ASSERT_EQ(rec.rows(table_id::xml2).size(), 1u);
  EXPECT_EQ(rec.rows(table_id::xml2)[0].value("THANH_TIEN"), "85000");
  ASSERT_EQ(rec.rows(table_id::xml3).size(), 1u);
  EXPECT_EQ(episode_date(rec), 20230315);
}

TEST(Qd130Pitfalls, CdataAroundCodes) {
  std::string x1 = set_element(sample_table(1), "MA_LOAI_KCB", "<![CDATA[03]]>");
  x1 = set_element(x1, "SO_CCCD", "<![CDATA[ 042078000123 ]]>");
  x1 = set_element(x1, "MA_BENH_CHINH", "<![CDATA[J18.9]]>");
  const auto r = decode(envelope_with_xml1(x1));
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_EQ(xml1_of(r).value("MA_LOAI_KCB"), "03");
  EXPECT_EQ(xml1_of(r).value("SO_CCCD"), "042078000123");
  EXPECT_EQ(xml1_of(r).value("MA_BENH_CHINH"), "J18.9");
  EXPECT_FALSE(fhir::has_errors(r.issues)) << describe(r.issues);
}

TEST(Qd130Pitfalls, TextSplitAcrossCdataAndPlainTextIsJoined) {
  const auto r = decode(envelope_with_xml1(set_element(sample_table(1), "MA_BENH_KT", "I1<![CDATA[0;E11]]>.9")));
  ASSERT_TRUE(r.usable());
  EXPECT_EQ(xml1_of(r).value("MA_BENH_KT"), "I10;E11.9");
}

TEST(Qd130Pitfalls, NameInNfdIsKeptByteForByte) {
  // "Nguyễn Văn Thử" decomposed: base letters followed by combining marks.
  const std::string nfd = "Nguye\xCC\x82\xCC\x83n Va\xCC\x86n Thu\xCC\x9B\xCC\x89";
  const auto r = decode(envelope_with_xml1(set_element(sample_table(1), "HO_TEN", nfd)));
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  EXPECT_EQ(xml1_of(r).value("HO_TEN"), nfd);
}

TEST(Qd130Pitfalls, CardListsWithMismatchedCounts) {
  std::string x1 = set_element(sample_table(1), "GT_THE_TU", "20260101;20260601");
  const auto r = decode(envelope_with_xml1(x1));
  const auto* i = find_issue(r.issues, "XML1[STT=1].GT_THE_TU", issue_code::invariant);
  ASSERT_NE(i, nullptr) << describe(r.issues);
  EXPECT_EQ(i->severity, severity::error);
  EXPECT_EQ(i->message, "GT_THE_TU has 2 entries, MA_THE_BHYT 1");
  // Matching lists are fine.
  x1 = set_element(x1, "MA_THE_BHYT", "GD4424299990001;GD4424299990002");
  x1 = set_element(x1, "GT_THE_DEN", "20260531;20261231");
  const auto r2 = decode(envelope_with_xml1(x1));
  EXPECT_FALSE(fhir::has_errors(r2.issues)) << describe(r2.issues);
}

TEST(Qd130Pitfalls, UnknownElementsAreReportedAndIgnored) {
  std::string x1 = sample_table(1);
  x1.insert(x1.find("<MA_BN>"), "<MA_MOI_2027>abc</MA_MOI_2027>\n  ");
  const auto r = decode(envelope_with_xml1(x1));
  ASSERT_TRUE(r.usable());
  const auto* i = find_issue(r.issues, "XML1[STT=1].MA_MOI_2027", issue_code::informational);
  ASSERT_NE(i, nullptr) << describe(r.issues);
  EXPECT_EQ(i->severity, severity::information);
  EXPECT_FALSE(xml1_of(r).has("MA_MOI_2027"));
  EXPECT_FALSE(fhir::has_errors(r.issues)) << describe(r.issues);
}

TEST(Qd130Pitfalls, EmptyElementsAreAbsent) {
  const auto r = decode(sample_envelope());
  const row& x1 = xml1_of(r);
  EXPECT_FALSE(x1.has("NHOM_MAU"));  // <NHOM_MAU></NHOM_MAU>
  EXPECT_FALSE(x1.has("MA_NOI_DI"));
  EXPECT_FALSE(r.env.records[0].rows(table_id::xml2)[0].has("HAM_LUONG"));  // empty CDATA
  // An empty required element is a missing one.
  const auto r2 = decode(envelope_with_xml1(set_element(sample_table(1), "MA_LK", "")));
  const auto* i = find_issue(r2.issues, "XML1[STT=1].MA_LK", issue_code::required);
  ASSERT_NE(i, nullptr) << describe(r2.issues);
  EXPECT_EQ(i->severity, severity::error);
  EXPECT_EQ(i->message, "MA_LK missing");
  EXPECT_EQ(fhir::hl7_code_of(*i), 101);
}

TEST(Qd130Pitfalls, ElementsInAnyOrder) {
  std::string x1 = sample_table(1);
  // Move MA_LK and STT to the end of TONG_HOP.
  x1 = set_element(x1, "MA_LK", "", true);
  x1 = set_element(x1, "STT", "", true);
  x1.insert(x1.find("</TONG_HOP>"), "<STT>1</STT><MA_LK>2611200007</MA_LK>");
  const auto r = decode(envelope_with_xml1(x1));
  ASSERT_TRUE(r.usable());
  EXPECT_EQ(xml1_of(r).value("MA_LK"), "2611200007");
  EXPECT_FALSE(fhir::has_errors(r.issues)) << describe(r.issues);
}

TEST(Qd130Pitfalls, RowsWithDifferentElementsOrNamesKeepTheirOwnValues) {
  // The decoder reuses the previous row's rule for an element at the same position when the names
  // match: rows that swap elements, or put one of the same length and first and last letters in
  // its place, or an unknown one, must each keep their own values.
  const std::string doc =
      "<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC>"
      "<CHI_TIET_THUOC><MA_LK>LK1</MA_LK><STT>1</STT><T_NGUONKHAC_NSNN>11</T_NGUONKHAC_NSNN>"
      "<T_NGUONKHAC_VTNN>12</T_NGUONKHAC_VTNN><MA_THUOC>A</MA_THUOC></CHI_TIET_THUOC>"
      "<CHI_TIET_THUOC><MA_LK>LK1</MA_LK><STT>2</STT><T_NGUONKHAC_VTNN>22</T_NGUONKHAC_VTNN>"
      "<T_NGUONKHAC_NSNN>21</T_NGUONKHAC_NSNN><MA_THUOC>B</MA_THUOC></CHI_TIET_THUOC>"
      "<CHI_TIET_THUOC><MA_LK>LK1</MA_LK><STT>3</STT><T_NGUONKHAC_VTTN>33</T_NGUONKHAC_VTTN>"
      "<MA_THUOX>x</MA_THUOX><MA_THUOC>C</MA_THUOC></CHI_TIET_THUOC>"
      "<CHI_TIET_THUOC><STT>4</STT><MA_LK>LK1</MA_LK><TEN_THUOC>D</TEN_THUOC></CHI_TIET_THUOC>"
      "</DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>";
  const auto r = decode(doc);
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  const auto& rows = r.env.records[0].rows(table_id::xml2);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].value("T_NGUONKHAC_NSNN"), "11");
  EXPECT_EQ(rows[0].value("T_NGUONKHAC_VTNN"), "12");
  EXPECT_EQ(rows[1].value("T_NGUONKHAC_NSNN"), "21");
  EXPECT_EQ(rows[1].value("T_NGUONKHAC_VTNN"), "22");
  EXPECT_EQ(rows[2].value("T_NGUONKHAC_VTTN"), "33");
  EXPECT_EQ(rows[2].value("T_NGUONKHAC_NSNN"), "");
  EXPECT_EQ(rows[2].value("T_NGUONKHAC_VTNN"), "");
  EXPECT_EQ(rows[2].value("MA_THUOC"), "C");
  EXPECT_NE(find_issue(r.issues, "XML2[STT=3].MA_THUOX", issue_code::informational), nullptr) << describe(r.issues);
  EXPECT_EQ(rows[3].value("STT"), "4");
  EXPECT_EQ(rows[3].value("MA_LK"), "LK1");
  EXPECT_EQ(rows[3].value("TEN_THUOC"), "D");
  EXPECT_EQ(rows[3].value("MA_THUOC"), "");
  for (const auto& row : rows) {
    for (const auto& f : row.fields) {
      const auto* rule = detail::find_rule(table_id::xml2, f.name);
      ASSERT_NE(rule, nullptr) << f.name;
      EXPECT_EQ(f.rule, detail::rule_index(*rule)) << f.name;
    }
  }
}

TEST(Qd130Pitfalls, RowsFoundWhateverTheWrapper) {
  const std::string wrapped =
      "<?xml version=\"1.0\"?><KHAC><NHOM><CHI_TIET_THUOC><MA_LK>2611200007</MA_LK><STT>1</STT>"
      "<MA_THUOC>40.17</MA_THUOC></CHI_TIET_THUOC></NHOM></KHAC>";
  const auto r = decode(make_envelope({{"XML1", sample_table(1)}, {"XML2", wrapped}}));
  ASSERT_TRUE(r.usable()) << describe(r.issues);
  ASSERT_EQ(r.env.records[0].rows(table_id::xml2).size(), 1u);
  EXPECT_EQ(r.env.records[0].rows(table_id::xml2)[0].value("MA_THUOC"), "40.17");
}

// ---------------------------------------------------------------------------------------------
// Checks

TEST(Qd130Checks, CccdProvinceUnknown) {
  const auto r = decode(envelope_with_xml1(set_element(sample_table(1), "SO_CCCD", "099078000123")));
  const auto* i = find_issue(r.issues, "XML1[STT=1].SO_CCCD", issue_code::value);
  ASSERT_NE(i, nullptr) << describe(r.issues);
  EXPECT_EQ(i->message, "SO_CCCD: province 099 unknown");
  EXPECT_EQ(i->severity, severity::warning);
}

TEST(Qd130Checks, CodeListsChosenByEpisodeDate) {
  // KET_QUA_DTRI 8 exists from QĐ 4750 (2023-12-29): fine in 2026, not in 2023.
  std::string x1 = set_element(sample_table(1), "KET_QUA_DTRI", "8");
  auto r = decode(envelope_with_xml1(x1));
  EXPECT_EQ(find_issue(r.issues, "XML1[STT=1].KET_QUA_DTRI", issue_code::code_invalid), nullptr) << describe(r.issues);
  x1 = set_element(x1, "NGAY_VAO", "202306010800");
  x1 = set_element(x1, "NGAY_VAO_NOI_TRU", "202306010900");
  x1 = set_element(x1, "NGAY_RA", "202306051000");
  r = decode(make_envelope({{"XML1", x1}}));
  EXPECT_NE(find_issue(r.issues, "XML1[STT=1].KET_QUA_DTRI", issue_code::code_invalid), nullptr) << describe(r.issues);
  // MA_LOAI_KCB 12 (QĐ 1804/2026) only from 2026-08-01.
  x1 = set_element(x1, "MA_LOAI_KCB", "12");
  r = decode(make_envelope({{"XML1", x1}}));
  EXPECT_NE(find_issue(r.issues, "XML1[STT=1].MA_LOAI_KCB", issue_code::code_invalid), nullptr);
  r = decode(envelope_with_xml1(set_element(sample_table(1), "MA_LOAI_KCB", "12")));
  EXPECT_EQ(find_issue(r.issues, "XML1[STT=1].MA_LOAI_KCB", issue_code::code_invalid), nullptr);
}

TEST(Qd130Checks, DistrictRequiredOnlyBeforeTheMerger) {
  std::string x1 = sample_table(1);  // MAHUYEN_CU_TRU empty, episode in 2026: fine
  x1 = set_element(x1, "NGAY_VAO", "202403010800");
  x1 = set_element(x1, "NGAY_VAO_NOI_TRU", "202403010900");
  x1 = set_element(x1, "NGAY_RA", "202403051000");
  const auto r = decode(make_envelope({{"XML1", x1}}));
  const auto* i = find_issue(r.issues, "XML1[STT=1].MAHUYEN_CU_TRU", issue_code::required);
  ASSERT_NE(i, nullptr) << describe(r.issues);
  EXPECT_EQ(i->severity, severity::error);
}

TEST(Qd130Checks, ConditionalRequirements) {
  // XML4: NGAY_KQ is required when GIA_TRI is given.
  std::string x4 = set_element(sample_table(4), "NGAY_KQ", "");
  auto r = decode(make_envelope({{"XML1", sample_table(1)}, {"XML4", x4}}));
  EXPECT_NE(find_issue(r.issues, "XML4[STT=1].NGAY_KQ", issue_code::required), nullptr) << describe(r.issues);
  // XML2 oxygen (40.17) without strength: a warning, not an error.
  r = decode(sample_envelope());
  const auto* i = find_issue(r.issues, "XML2[STT=1].HAM_LUONG", issue_code::required);
  ASSERT_NE(i, nullptr) << describe(r.issues);
  EXPECT_EQ(i->severity, severity::warning);
}

TEST(Qd130Checks, FacilityMismatchBetweenEnvelopeAndXml1) {
  const auto r = decode(make_envelope({{"XML1", sample_table(1)}}, "42002"));
  const auto* i = find_issue(r.issues, "XML1[STT=1].MA_CSKCB", issue_code::conflict);
  ASSERT_NE(i, nullptr) << describe(r.issues);
  EXPECT_EQ(i->severity, severity::error);
}

TEST(Qd130Checks, IssuesInAnEnvelopeOfSeveralRecordsNameTheRecord) {
  // Every HOSO has its own XML1[STT=1]: the second one's missing HO_TEN is HOSO[2]'s.
  std::string second = set_element(sample_table(1), "HO_TEN", "", true);
  second = set_element(second, "MA_LK", "2611200099");
  std::string env = make_envelope({{"XML1", sample_table(1)}});
  const std::string hoso2 =
      "<HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>" + base64(second) + "</NOIDUNGFILE></FILEHOSO></HOSO>";
  env.insert(env.find("</DANHSACHHOSO>"), hoso2);
  env = set_element(env, "SOLUONGHOSO", "2");
  const auto r = decode(env);
  ASSERT_EQ(r.env.records.size(), 2u);
  const auto* missing = find_issue(r.issues, "HOSO[2].XML1[STT=1].HO_TEN", fhir::issue_code::required);
  ASSERT_NE(missing, nullptr) << describe(r.issues);
  EXPECT_EQ(find_issue(r.issues, "XML1[STT=1].HO_TEN", fhir::issue_code::required), nullptr) << describe(r.issues);
  EXPECT_EQ(find_issue(r.issues, "HOSO[1].XML1[STT=1].HO_TEN", fhir::issue_code::required), nullptr);
}

TEST(Qd130Checks, MaLkMismatchAcrossTables) {
  const auto r =
      decode(make_envelope({{"XML1", sample_table(1)}, {"XML5", set_element(sample_table(5), "MA_LK", "999")}}));
  EXPECT_NE(find_issue(r.issues, "XML5[STT=1].MA_LK", issue_code::invariant), nullptr) << describe(r.issues);
}

TEST(Qd130Checks, LoaihosoDisagreeingWithContent) {
  const auto r = decode(make_envelope({{"XML1", sample_table(1)}, {"XML3", sample_table(2)}}));
  ASSERT_TRUE(r.usable());
  EXPECT_EQ(r.env.records[0].rows(table_id::xml2).size(), 2u);  // content wins
  EXPECT_NE(find_issue(r.issues, "XML3", issue_code::value), nullptr) << describe(r.issues);
}

// ---------------------------------------------------------------------------------------------
// Bad input: a clear issue, no crash, nothing fetched

TEST(Qd130BadInput, NotXml) {
  for (std::string body : {std::string("hello, world!"), std::string(""), std::string("   "),
                           std::string("{\"json\": true}"), std::string("<<<>>>"), std::string("\x00\x01\x02", 3)}) {
    const auto r = decode(body);
    EXPECT_FALSE(r.usable()) << body;
    EXPECT_TRUE(has_fatal(r.issues)) << body;
  }
}

TEST(Qd130BadInput, DoctypeAndExternalEntityAreRefused) {
  const std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE GIAMDINHHS [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<GIAMDINHHS><THONGTINDONVI><MACSKCB>&x;</MACSKCB></THONGTINDONVI></GIAMDINHHS>";
  const auto r = decode(xxe);
  EXPECT_FALSE(r.usable());
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues[0].code, issue_code::security) << describe(r.issues);
  // Inside an inner document: that file is refused, the rest is read.
  const std::string inner = "<?xml version=\"1.0\"?><!DOCTYPE TONG_HOP SYSTEM \"http://127.0.0.1:9/x.dtd\"><TONG_HOP/>";
  const auto r2 = decode(make_envelope({{"XML1", inner}, {"XML2", sample_table(2)}}));
  EXPECT_NE(find_issue(r2.issues, "XML1", issue_code::security), nullptr) << describe(r2.issues);
  EXPECT_EQ(r2.env.records.at(0).rows(table_id::xml2).size(), 2u);
  // An undeclared entity reference is left as text, never resolved.
  const auto r3 = decode(set_element(sample_table(1), "DIA_CHI", "&ext;"));
  ASSERT_TRUE(r3.usable()) << describe(r3.issues);
  EXPECT_EQ(xml1_of(r3).value("DIA_CHI"), "&ext;");
}

TEST(Qd130BadInput, WrongRoot) {
  const auto r = decode("<?xml version=\"1.0\"?><KHAMSUCKHOE><A>1</A></KHAMSUCKHOE>");
  EXPECT_FALSE(r.usable());
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues[0].code, issue_code::structure);
  EXPECT_NE(r.issues[0].message.find("KHAMSUCKHOE"), std::string::npos);
}

TEST(Qd130BadInput, TruncatedBase64) {
  std::string env = make_envelope({{"XML1", sample_table(1)}, {"XML2", sample_table(2)}});
  // Cut XML1's content in the middle of a 4-character group.
  const auto b = env.find("<NOIDUNGFILE>") + 13;
  const auto e = env.find("</NOIDUNGFILE>", b);
  env.erase(b + 101, e - (b + 101));
  const auto r = decode(env);
  const auto* i = find_issue(r.issues, "XML1.NOIDUNGFILE", issue_code::value);
  ASSERT_NE(i, nullptr) << describe(r.issues);
  EXPECT_EQ(i->severity, severity::error);
  EXPECT_EQ(r.env.records.at(0).rows(table_id::xml2).size(), 2u);
  // Cut at a group boundary: base64 is fine, the XML inside is truncated.
  std::string env2 = make_envelope({{"XML1", sample_table(1)}});
  const auto b2 = env2.find("<NOIDUNGFILE>") + 13;
  env2.erase(b2 + 400, env2.find("</NOIDUNGFILE>", b2) - (b2 + 400));
  const auto r2 = decode(env2);
  EXPECT_NE(find_issue(r2.issues, "XML1", issue_code::structure), nullptr) << describe(r2.issues);
  // A truncated form body.
  const std::string form = "fileHSBase64=" + base64(sample_envelope());
  const auto r3 = decode(std::string_view(form).substr(0, form.size() / 2 + 1));
  EXPECT_FALSE(r3.usable());
}

TEST(Qd130BadInput, HugeBodyIsRefusedBeforeParsing) {
  const std::string big(50u << 20, 'A');
  const auto r = decode(big);
  EXPECT_FALSE(r.usable());
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].code, issue_code::too_costly);
}

TEST(Qd130BadInput, DeepNestingAndInvalidUtf8) {
  std::string deep = "<TONG_HOP>";
  for (int i = 0; i < 10000; ++i) deep += "<A>";
  const auto r = decode(deep);
  EXPECT_FALSE(r.usable());
  std::string nested = "<TONG_HOP>";
  for (int i = 0; i < 200; ++i) nested += "<A>";
  for (int i = 0; i < 200; ++i) nested += "</A>";
  nested += "</TONG_HOP>";
  EXPECT_FALSE(decode(nested).usable());
  const auto r2 = decode(set_element(sample_table(1), "HO_TEN", "Nguy\xE1\xBB"));
  EXPECT_FALSE(r2.usable());
  EXPECT_EQ(r2.issues.at(0).code, issue_code::value);
}

TEST(Qd130BadInput, EnvelopeWithoutFilesOrWithGarbageFiles) {
  EXPECT_FALSE(decode("<GIAMDINHHS><THONGTINDONVI/></GIAMDINHHS>").usable());
  const std::string env =
      "<GIAMDINHHS><HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>!!!</NOIDUNGFILE>"
      "</FILEHOSO><FILEHOSO><LOAIHOSO>XML99</LOAIHOSO><NOIDUNGFILE>" +
      base64("not xml") +
      "</NOIDUNGFILE></FILEHOSO><FILEHOSO><LOAIHOSO>XML2</LOAIHOSO>"
      "</FILEHOSO></HOSO></GIAMDINHHS>";
  const auto r = decode(env);
  EXPECT_TRUE(fhir::has_errors(r.issues));
  EXPECT_NE(find_issue(r.issues, "XML1.NOIDUNGFILE", issue_code::value), nullptr) << describe(r.issues);
  EXPECT_NE(find_issue(r.issues, "XML2.NOIDUNGFILE", issue_code::required), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Helpers

std::string b64(std::string_view in, detail::base64_status* status = nullptr, std::size_t max = 1000) {
  auto r = detail::base64_decode(in, max);
  if (status != nullptr) *status = r.status;
  return r.status == detail::base64_status::ok ? std::string(r.data.get(), r.size) : std::string("!");
}

TEST(Qd130Helpers, Base64) {
  using detail::base64_status;
  EXPECT_EQ(b64("TWFu"), "Man");
  EXPECT_EQ(b64("TWE="), "Ma");
  EXPECT_EQ(b64("TQ=="), "M");
  EXPECT_EQ(b64("TWE"), "Ma");  // unpadded
  EXPECT_EQ(b64("TQ"), "M");
  EXPECT_EQ(b64(" T W\r\nF u\t"), "Man");
  EXPECT_EQ(b64("TWFuTWFu\nTWE="), "ManManMa");
  EXPECT_EQ(b64("-_-_"), b64("+/+/"));  // URL-safe alphabet
  base64_status st{};
  b64("TWFuT", &st);
  EXPECT_EQ(st, base64_status::truncated);
  b64("TQ==TWFu", &st);
  EXPECT_EQ(st, base64_status::invalid_character);  // data after padding
  b64("TW*u", &st);
  EXPECT_EQ(st, base64_status::invalid_character);
  b64(" \n= ", &st);
  EXPECT_EQ(st, base64_status::empty);
  b64("TWFuTWFu", &st, 5);
  EXPECT_EQ(st, base64_status::too_large);
  EXPECT_EQ(b64("TWFuTWFu", &st, 6), "ManMan");
  const auto r = detail::base64_decode("TWE", 10);
  EXPECT_TRUE(r.unpadded);
}

// Long bodies go through the vector path (32 characters per step where the CPU has AVX2), short
// ones and the rest of a body through the scalar paths: every length, every byte value, line
// breaks, the URL-safe alphabet and a bad byte at every kind of position must decode the same.
TEST(Qd130Helpers, Base64LongBodiesMatchTheirBytes) {
  using detail::base64_status;
  std::uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  for (std::size_t len = 0; len < 400; ++len) {
    std::string bytes(len, '\0');
    for (auto& c : bytes) c = static_cast<char>(next() & 0xFF);
    const std::string text = fhir::base64_encode(bytes);
    ASSERT_EQ(b64(text, nullptr, 1000), len == 0 ? "!" : bytes) << "length " << len;
    // URL-safe spelling of the same bytes.
    std::string url = text;
    for (auto& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
    ASSERT_EQ(b64(url, nullptr, 1000), len == 0 ? "!" : bytes) << "url-safe, length " << len;
    if (text.empty()) continue;
    // Line breaks every 76 characters (MIME) and one at a random place.
    std::string wrapped;
    for (std::size_t i = 0; i < text.size(); i += 76) wrapped.append(text, i, 76).append("\r\n");
    ASSERT_EQ(b64(wrapped, nullptr, 1000), bytes) << "wrapped, length " << len;
    std::string broken = text;
    broken.insert(next() % broken.size(), "\n");
    ASSERT_EQ(b64(broken, nullptr, 1000), bytes) << "one line break, length " << len;
    // A bad byte (ASCII or not) anywhere before the padding is reported at its offset.
    const std::size_t data_end = text.find('=') == std::string::npos ? text.size() : text.find('=');
    const std::size_t at = next() % data_end;
    for (const char bad : {'*', '\xC3', '\0', '.'}) {
      std::string damaged = text;
      damaged[at] = bad;
      auto r = detail::base64_decode(damaged, 1000);
      ASSERT_EQ(r.status, base64_status::invalid_character) << "length " << len << " at " << at;
      EXPECT_EQ(r.bad_offset, at) << "length " << len;
    }
  }
}

TEST(Qd130Helpers, Base64EveryByteValueInAVectorBlock) {
  // The vector path tells the alphabet from everything else by nibble lookups: every byte value,
  // in the first and the second 32-character block, is decoded or refused as the alphabet says.
  using detail::base64_status;
  const std::string bytes = "claims file bytes, forty-eight of them in a row!!";
  const std::string text = fhir::base64_encode(bytes.substr(0, 48));
  ASSERT_EQ(text.size(), 64u);
  const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    for (const std::size_t at : {std::size_t{3}, std::size_t{40}}) {
      std::string s = text;
      s[at] = c;
      const auto r = detail::base64_decode(s, 1000);
      if (alphabet.find(c) != std::string_view::npos || c == '-' || c == '_') {
        ASSERT_EQ(r.status, base64_status::ok) << b << " at " << at;
        EXPECT_EQ(r.size, 48u);
      } else if (detail::is_space(c)) {
        ASSERT_EQ(r.status, base64_status::ok) << b << " at " << at;  // skipped: one character short
        EXPECT_EQ(r.size, 47u) << b << " at " << at;
      } else if (c != '=') {
        ASSERT_EQ(r.status, base64_status::invalid_character) << b << " at " << at;
        EXPECT_EQ(r.bad_offset, at) << b;
      }
    }
  }
}

TEST(Qd130Helpers, TrimBothEndsOrNeither) {
  EXPECT_EQ(detail::trim(""), "");
  EXPECT_EQ(detail::trim(" \t\r\n"), "");
  EXPECT_EQ(detail::trim("a"), "a");
  EXPECT_EQ(detail::trim(" a b "), "a b");
  EXPECT_EQ(detail::trim("a b\n"), "a b");
  EXPECT_EQ(detail::trim("\r\na b"), "a b");
  EXPECT_EQ(detail::trim("\ta\t"), "a");
}

TEST(Qd130Helpers, FindPairAtEveryPosition) {
  // The vector loop takes 32 bytes at a time: every position and length around that, against a
  // byte-by-byte answer (a pair split across two blocks included).
  for (std::size_t n = 0; n <= 80; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      std::string s(n, 'a');
      s[at] = '<';
      if (at + 1 < n) s[at + 1] = '!';
      const std::size_t pair = at + 1 < n ? at : std::string_view::npos;
      EXPECT_EQ(detail::find_pair(s, '<', '!'), pair) << n << ' ' << at;
      EXPECT_EQ(detail::find_pair(s, '<', '!', at + 1), std::string_view::npos) << n << ' ' << at;
      if (at > 0) {
        EXPECT_EQ(detail::find_pair(s, '<', '!', at - 1), pair) << n << ' ' << at;
      }
      s.assign(n, 'a');
      s[at] = '<';  // alone: no pair
      EXPECT_EQ(detail::find_pair(s, '<', '!'), std::string_view::npos) << n << ' ' << at;
    }
  }
}

TEST(Qd130Helpers, NfcAndUtf8) {
  EXPECT_EQ(detail::nfc("  Nguy\xE1\xBB\x85n   V\xC4\x83n "), "Nguy\xE1\xBB\x85n V\xC4\x83n");
  EXPECT_EQ(detail::nfc("A\xCC\x8A"), "\xC3\x85");     // A + ring above → Å
  EXPECT_EQ(detail::nfc("\xE2\x84\xAB"), "\xC3\x85");  // Angstrom sign singleton → Å
  EXPECT_EQ(fhir::first_invalid_utf8("abcdefghijklmnop\xC3"), 16u);
  EXPECT_EQ(fhir::first_invalid_utf8("abcdefgh\xED\xA0\x80"), 8u);  // surrogate
  EXPECT_EQ(fhir::first_invalid_utf8("Nguy\xE1\xBB\x85n V\xC4\x83n Th\xE1\xBB\xAD"), std::string_view::npos);
}

}  // namespace
}  // namespace gw::qd130
