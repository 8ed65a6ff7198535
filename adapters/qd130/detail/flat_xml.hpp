#pragma once
/// A small, strict reader for the plain XML that claims files are made of (elements, text, CDATA,
/// attributes on a start tag, a leading `<?xml …?>` declaration), building a light tree with the
/// same nodes pugixml builds with `parse_cdata | parse_escapes | parse_eol` (whitespace-only text
/// dropped, no comment or PI nodes, CR LF and lone CR in text read as LF). It never fails with its
/// own message: anything outside that plain subset (an entity or character reference, a carriage
/// return in CDATA or an attribute, a comment, a PI other than the declaration, a DOCTYPE, a name
/// outside [A-Za-z_][A-Za-z0-9_.:-]*, a mismatched or unclosed tag, …) makes `parse` return false
/// and the caller parses the document with pugixml instead, which then reports any error. The
/// buffer is written only after a successful parse, and only where text holds a CR (compacted in
/// place, as pugixml does); views point into it.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

namespace gw::qd130::detail {

class flat_xml;

/// A node handle with the subset of pugi::xml_node's interface that the decoder uses.
class flat_node {
 public:
  flat_node() = default;
  flat_node(const flat_xml* doc, std::uint32_t index) : doc_(doc), i_(index) {}

  explicit operator bool() const { return i_ != 0; }
  bool operator==(const flat_node& o) const { return i_ == o.i_; }

  inline pugi::xml_node_type type() const;
  inline std::string_view name() const;
  inline std::string_view value() const;
  inline flat_node first_child() const;
  inline flat_node next_sibling() const;
  inline flat_node parent() const;
  /// The value of the first text (PCDATA or CDATA) child, or "".
  inline std::string_view child_value() const;
  const flat_xml& document() const { return *doc_; }

 private:
  const flat_xml* doc_ = nullptr;
  std::uint32_t i_ = 0;  // 0 = null
};

class flat_xml {
 public:
  /// Parses `text`; false when it is outside the plain subset (see the file comment). Reuses the
  /// node storage of earlier calls.
  bool parse(char* data, std::size_t size);
  /// As `parse`, for a buffer that must not be written: also false when a text node holds a CR
  /// (which `parse` would normalise in place).
  bool parse_readonly(const char* data, std::size_t size);
  /// The root element (valid after a successful parse).
  flat_node root() const { return flat_node(this, 1); }
  /// The deepest nesting level of any node, text included (the root's is 1), as a walk of the
  /// tree would count it; valid after a successful parse.
  std::uint32_t max_level() const { return max_level_; }

 private:
  friend class flat_node;
  struct node {
    pugi::xml_node_type type;
    std::uint32_t parent, first_child, last_child, next_sibling;
    const char* text;  // name of an element, value of a text node
    std::uint32_t size;
  };
  std::vector<node> nodes_;
  std::vector<std::uint32_t> with_cr_;  // text nodes to normalise once the parse has succeeded
  std::uint32_t max_level_ = 0;
  bool parse(char* data, std::size_t size, bool may_write);
  std::uint32_t append(pugi::xml_node_type type, std::uint32_t parent, const char* text, std::size_t size);
};

pugi::xml_node_type flat_node::type() const {
  return doc_->nodes_[i_].type;
}
std::string_view flat_node::name() const {
  const auto& n = doc_->nodes_[i_];
  return n.type == pugi::node_element ? std::string_view(n.text, n.size) : std::string_view{};
}
std::string_view flat_node::value() const {
  const auto& n = doc_->nodes_[i_];
  return n.type == pugi::node_element ? std::string_view{} : std::string_view(n.text, n.size);
}
flat_node flat_node::first_child() const {
  return flat_node(doc_, doc_->nodes_[i_].first_child);
}
flat_node flat_node::next_sibling() const {
  return flat_node(doc_, doc_->nodes_[i_].next_sibling);
}
flat_node flat_node::parent() const {
  return flat_node(doc_, doc_->nodes_[i_].parent);
}
std::string_view flat_node::child_value() const {
  for (auto c = first_child(); c; c = c.next_sibling())
    if (c.type() != pugi::node_element) return c.value();
  return {};
}

}  // namespace gw::qd130::detail
