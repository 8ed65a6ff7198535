// The fast reader for plain documents (adapters/qd130/detail/flat_xml.*) must build exactly the
// tree pugixml builds with the decoder's options, or decline so that pugixml reads the document.
#include "adapters/qd130/detail/flat_xml.hpp"

#include <gtest/gtest.h>

#include <pugixml.hpp>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

#include "tests/unit/qd130/test_util.hpp"

namespace {

using gw::qd130::detail::flat_node;
using gw::qd130::detail::flat_xml;
using namespace gw::qd130::test;
using namespace std::string_literals;

constexpr unsigned options = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol;

/// Node by node: type, name, value and children in order; "" when equal, else where they differ.
std::string compare(pugi::xml_node p, flat_node f, const std::string& path) {
  if (p.type() != f.type()) return path + ": type";
  if (std::string_view(p.name()) != f.name()) return path + ": name " + p.name() + " vs " + std::string(f.name());
  if (std::string_view(p.value()) != f.value())
    return path + ": value '" + p.value() + "' vs '" + std::string(f.value()) + "'";
  if (p.type() == pugi::node_element && std::string_view(p.child_value()) != f.child_value())
    return path + ": child_value";
  auto pc = p.first_child();
  auto fc = f.first_child();
  for (int i = 0; pc || fc; ++i, pc = pc.next_sibling(), fc = fc.next_sibling()) {
    if (!pc || !fc) return path + ": child count";
    if (fc.parent() != f) return path + ": parent link";
    if (auto d = compare(pc, fc, path + "/" + std::to_string(i)); !d.empty()) return d;
  }
  return {};
}

/// The deepest level of any node under `n` (its own is `level`), text nodes included.
unsigned deepest(pugi::xml_node n, unsigned level) {
  unsigned d = level;
  for (auto c = n.first_child(); c; c = c.next_sibling()) d = std::max(d, deepest(c, level + 1));
  return d;
}

/// Parses `text` with both; returns whether the fast reader accepted it, and checks the trees
/// are the same when it did.
bool same_tree_or_declined(const std::string& text) {
  flat_xml flat;
  std::string buffer = text;  // the reader may normalise line ends in place
  if (!flat.parse(buffer.data(), buffer.size())) {
    EXPECT_EQ(buffer, text) << "declined, yet the buffer was written";
    return false;
  }
  pugi::xml_document doc;
  const auto res = doc.load_buffer(text.data(), text.size(), options, pugi::encoding_utf8);
  EXPECT_TRUE(res) << "the fast reader accepted what pugixml refuses: " << text;
  if (!res) return true;
  EXPECT_EQ(compare(doc.document_element(), flat.root(), "root"), "") << text;
  EXPECT_FALSE(doc.document_element().next_sibling()) << text;
  EXPECT_EQ(flat.max_level(), deepest(doc.document_element(), 1)) << text;
  return true;
}

TEST(Qd130FlatXml, SampleDocumentsGiveTheSameTreeAsPugixml) {
  for (int n = 1; n <= 5; ++n) EXPECT_TRUE(same_tree_or_declined(sample_table(n))) << "XML" << n;
  EXPECT_TRUE(same_tree_or_declined(sample_envelope()));
  // Its base64 is wrapped with CR LF inside the text.
  EXPECT_TRUE(same_tree_or_declined(test_data("qd4210-outpatient-hypertension.xml")));
}

TEST(Qd130FlatXml, PlainShapesGiveTheSameTreeAsPugixml) {
  for (const std::string& text : std::initializer_list<std::string>{
           "<A/>",
           "<A />",
           "<?xml version=\"1.0\"?><A>x</A>",
           "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<A>\n  <B>1</B>\n  <C></C>\n  <D/>\n</A>\n",
           "<A><B> x  y </B><B>  </B></A>",
           "<A><B><![CDATA[ a <b> & c ]]></B><C> <![CDATA[y]]> </C><D>p<![CDATA[q]]>r</D></A>",
           "<A><B><![CDATA[]]></B><C><![CDATA[]]>x</C></A>",
           "<A x=\"1\" y='2'\n z=\"a>b\"><B q=\"\">v</B></A>",
           "<A><B>Nguyễn Văn Thử</B><C>a>b]]>c</C></A>",
           "<A\t>\t<B>1</B  >\r\n<C>2</C>\r\n</A\n>",
           "<A><B><C><D>deep</D></C></B><E.f-g:h>x</E.f-g:h></A>",
           "<A>text<B/>more</A>",
           "<A><B><C/></B></A>",
           "<A><B><C></C></B>t<D><![CDATA[c]]></D></A>",
           "<A>a\r\nb\rc\r\r\nd\r</A>",
           "<A>\r\nab\n\r\r\n\r\ncd\r\r</A>",
           "<A><B>QUJD\r\nREVG\r\nR0g=\r\n</B></A>",
           "<A><B>\r\n  x\r\n</B>\r\n<C>y\r</C><D>p<![CDATA[q]]>\r\nr</D></A>",
       })
    EXPECT_TRUE(same_tree_or_declined(text)) << text;
}

TEST(Qd130FlatXml, DeclinesWhatOnlyPugixmlHandles) {
  for (const std::string& text : std::initializer_list<std::string>{
           "<A>&amp;</A>",
           "<A>&#65;</A>",
           "<A x=\"&amp;\"/>",
           "<A><![CDATA[a\r\nb]]></A>",
           "<A><!-- c --></A>",
           "<A><?pi x?></A>",
           "<!DOCTYPE A><A/>",
           "<A><B></A>",
           "<A><B>x</C></A>",
           "<A>",
           "<A>x",
           "text<A/>",
           "<A/>text",
           "<A/><B/>",
           "<A>a\r\nb</A><B/>",
           "<A/><!-- c -->",
           "<A><B>x</BB></A>",
           "<A>a\0b</A>"s,
           "<?xml?><A/>",
           " <?xml version=\"1.0\"?><A/>",
           "<A x=1/>",
           "<A x='1'y='2'/>",
           "<A x = '1'/>",
           "<1A/>",
           "<A><\xC3\xA9/></A>",
           "</A>",
           "",
       })
    EXPECT_FALSE(same_tree_or_declined(text)) << text;
}

TEST(Qd130FlatXml, EndTagsMustMatchByteForByteAtEveryLength) {
  // End tags are compared in words: a difference at any position of a name of any length (first,
  // middle, last byte; the overlapping last word) must still decline.
  for (std::size_t n = 1; n <= 24; ++n) {
    std::string name;
    for (std::size_t i = 0; i < n; ++i) name += static_cast<char>('A' + i % 26);
    EXPECT_TRUE(same_tree_or_declined("<R><" + name + ">x</" + name + "></R>")) << name;
    for (std::size_t at = 0; at < n; ++at) {
      std::string other = name;
      other[at] = other[at] == 'Z' ? 'Y' : 'Z';
      EXPECT_FALSE(same_tree_or_declined("<R><" + name + ">x</" + other + "></R>")) << name << " vs " << other;
    }
  }
}

TEST(Qd130FlatXml, ReadOnlyParseDeclinesOnlyWhatNeedsWriting) {
  flat_xml flat;
  const std::string plain = "<A>\r\n  <B>x</B>\r\n</A>";  // CRs only in white space between elements
  ASSERT_TRUE(flat.parse_readonly(plain.data(), plain.size()));
  EXPECT_EQ(flat.root().first_child().child_value(), "x");
  const std::string cr = "<A><B>a\r\nb</B></A>";
  std::string copy = cr;
  EXPECT_FALSE(flat.parse_readonly(copy.data(), copy.size()));
  EXPECT_EQ(copy, cr);
  EXPECT_TRUE(flat.parse(copy.data(), copy.size()));
  EXPECT_EQ(flat.root().first_child().child_value(), "a\nb");
}

TEST(Qd130FlatXml, LongTextsStopAtEveryPosition) {
  // Text is scanned 16 and, once long, 32 bytes at a time: markup, a CR or a reference at any
  // position of texts up to 100 bytes is found where it is.
  for (std::size_t n = 0; n <= 100; ++n)
    for (std::size_t k = 0; k <= n; ++k) {
      const std::string before(k, 'a');
      const std::string after(n - k, 'b');
      EXPECT_TRUE(same_tree_or_declined("<A>" + before + "<B/>" + after + "</A>")) << n << ' ' << k;
      EXPECT_TRUE(same_tree_or_declined("<A>" + before + "\r" + after + "</A>")) << n << ' ' << k;
      EXPECT_FALSE(same_tree_or_declined("<A>" + before + "&amp;" + after + "</A>")) << n << ' ' << k;
    }
}

}  // namespace
