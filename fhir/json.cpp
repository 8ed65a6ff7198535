#include "fhir/json.hpp"

#include "fhir/swar.hpp"
#include "fhir/detail/walk.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gw::fhir {
namespace {

using detail::path_scope;

// ------------------------------------------------------------------------------------------------
// Writer: straight from the structs into one growing buffer. An element is written
// speculatively and cut off again when it turned out to hold nothing, so emptiness is not computed
// by a separate walk of every subtree. The output is byte for byte what RapidJSON's `Writer`
// (default flags) writes: `"`, `\\` and control characters escaped (\b \f \n \r \t, else
// \u00XX with upper-case hex), everything else, '/' and non-ASCII included, as it is.
// ------------------------------------------------------------------------------------------------

/// Escape of a byte: 0 = as it is, 'u' = \u00XX, else the character after the backslash.
constexpr std::array<char, 256> escape_table = [] {
  std::array<char, 256> t{};
  for (std::size_t i = 0; i < 0x20; ++i) t[i] = 'u';
  t['\b'] = 'b';
  t['\t'] = 't';
  t['\n'] = 'n';
  t['\f'] = 'f';
  t['\r'] = 'r';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}();

/// True when one of the eight bytes of `w` needs escaping: '"', '\\' or below 0x20.
constexpr bool needs_escape(std::uint64_t w) {
  using namespace swar;
  return (zero_bytes(w ^ broadcast('"')) | zero_bytes(w ^ broadcast('\\')) | bytes_below(w, 0x20)) != 0;
}

class json_out {
 public:
  json_out() { buf_.resize(16 * 1024); }
  std::size_t size() const { return n_; }
  void truncate(std::size_t n) { n_ = n; }
  std::string_view view() const { return {buf_.data(), n_}; }
  /// Gives back memory a very large document needed, so that a thread does not keep it.
  void release_if_large() {
    if (buf_.size() <= (1u << 20)) return;
    buf_.resize(16 * 1024);
    buf_.shrink_to_fit();
  }

  void put(char c) {
    if (n_ == buf_.size()) grow(1);
    buf_[n_++] = c;
  }
  void put(std::string_view s) {
    if (buf_.size() - n_ < s.size()) grow(s.size());
    std::memcpy(buf_.data() + n_, s.data(), s.size());
    n_ += s.size();
  }
  /// `s` as a quoted JSON string. Most values are short: room for the worst case of the whole
  /// string is made once, then nothing is checked per byte.
  void string(std::string_view s) {
    if (s.size() <= piece) {
      const std::size_t worst = s.size() * 6 + 2;
      if (buf_.size() - n_ < worst) grow(worst);
      char* o = buf_.data() + n_;
      *o++ = '"';
      o = escape_words(o, s);
      *o++ = '"';
      n_ = static_cast<std::size_t>(o - buf_.data());
      return;
    }
    put('"');
    escaped(s);
    put('"');
  }
  /// `,"name":"value"` (no comma when `first`) for a non-empty string member, with one check for
  /// room: a string member never has to be cut off again.
  void string_member(bool first, std::string_view name, std::string_view s) {
    if (s.size() > piece) {
      if (!first) put(',');
      key(name);
      string(s);
      return;
    }
    const std::size_t worst = name.size() + s.size() * 6 + 6;
    if (buf_.size() - n_ < worst) grow(worst);
    char* o = buf_.data() + n_;
    *o = ',';
    o += first ? 0 : 1;
    *o++ = '"';
    o = copy_short(o, name);
    *o++ = '"';
    *o++ = ':';
    *o++ = '"';
    o = escape_words(o, s);
    *o++ = '"';
    n_ = static_cast<std::size_t>(o - buf_.data());
  }
  /// `"name<suffix>":`. Element names and choice suffixes are ASCII identifiers of the model:
  /// nothing in them needs escaping.
  [[gnu::always_inline]] void key(std::string_view name, std::string_view suffix = {}) {
    const std::size_t len = name.size() + suffix.size() + 3;
    if (buf_.size() - n_ < len) grow(len);
    char* o = buf_.data() + n_;
    *o++ = '"';
    o = copy_short(o, name);
    o = copy_short(o, suffix);
    *o++ = '"';
    *o = ':';
    n_ += len;
  }
  /// Writes `s` escaped straight into the buffer, a bounded piece at a time: room for the worst
  /// case of a piece (every byte written as \u00XX) is made once per piece.
  void escaped(std::string_view s) {
    while (!s.empty()) {
      const std::size_t len = std::min(s.size(), piece);
      if (buf_.size() - n_ < len * 6) grow(len * 6);
      char* o = escape_words(buf_.data() + n_, s.substr(0, len));
      n_ = static_cast<std::size_t>(o - buf_.data());
      s.remove_prefix(len);
    }
  }

 private:
  /// Copies a short ASCII name: element names are a few bytes, copied as two overlapping words
  /// (4 to 16 bytes) or byte by byte, never through a call to memcpy.
  static char* copy_short(char* o, std::string_view s) {
    const std::size_t n = s.size();
    const char* p = s.data();
    if (n >= 8 && n <= 16) {
      // Two 8-byte copies that overlap in the middle.
      std::memcpy(o, p, 8);
      std::memcpy(o + n - 8, p + n - 8, 8);
    } else if (n >= 4 && n < 8) {
      std::memcpy(o, p, 4);
      std::memcpy(o + n - 4, p + n - 4, 4);
    } else {
      for (std::size_t i = 0; i < n; ++i) o[i] = p[i];
    }
    return o + n;
  }
  /// `s` as JSON string content at `o` (room for 6 bytes per byte of `s` is there). Strings of 16
  /// bytes and more go 16 at a time (SSE2), shorter ones as whole 8-byte words (short strings as
  /// two overlapping 4-byte words); the last block overlaps the one before it, and from a block
  /// that holds a byte to escape on, the rest goes byte by byte.
  static char* escape_words(char* o, std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    if (n < 4) {
      for (std::size_t i = 0; i < n; ++i) o = escape_byte(o, p[i]);
      return o;
    }
    if (n < 8) {
      std::uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      if (!needs_escape(static_cast<std::uint64_t>(hi) << 32 | lo)) {
        std::memcpy(o, &lo, 4);
        std::memcpy(o + n - 4, &hi, 4);
        return o + n;
      }
      for (std::size_t i = 0; i < n; ++i) o = escape_byte(o, p[i]);
      return o;
    }
#if defined(__SSE2__)
    if (n >= 16) return escape_vectors(o, p, n);
#endif
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (needs_escape(w)) {
        for (std::size_t k = i; k < n; ++k) o = escape_byte(o, p[k]);
        return o;
      }
      std::memcpy(o, &w, 8);
      o += 8;
    }
    if (i < n) {
      // The last 8 bytes, overlapping what was just written (those bytes are clean).
      std::uint64_t w;
      std::memcpy(&w, p + n - 8, 8);
      if (needs_escape(w)) {
        for (; i < n; ++i) o = escape_byte(o, p[i]);
        return o;
      }
      std::memcpy(o - (8 - (n - i)), &w, 8);
      o += n - i;
    }
    return o;
  }
#if defined(__SSE2__)
  /// True when one of the 16 bytes of `v` needs escaping.
  static bool block_needs_escape(__m128i v) {
    const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    // Unsigned v <= 0x1F exactly when min(v, 0x1F) == v.
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) != 0;
  }
  /// escape_words for 16 bytes and more: 16-byte blocks, the last one overlapping the one before.
  static char* escape_vectors(char* o, const unsigned char* p, std::size_t n) {
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      if (block_needs_escape(v)) {
        for (; i < n; ++i) o = escape_byte(o, p[i]);
        return o;
      }
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);
      o += 16;
    }
    if (i < n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
      if (block_needs_escape(v)) {
        for (; i < n; ++i) o = escape_byte(o, p[i]);
        return o;
      }
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o - (16 - (n - i))), v);
      o += n - i;
    }
    return o;
  }
#endif
  static constexpr std::size_t piece = 4096;
  /// Stores byte `c` at `o` as JSON string content; returns the position after it.
  static char* escape_byte(char* o, unsigned char c) {
    const char e = escape_table[c];
    if (e == 0) {
      *o++ = static_cast<char>(c);
    } else if (e == 'u') {
      static constexpr char hex[] = "0123456789ABCDEF";
      *o++ = '\\';
      *o++ = 'u';
      *o++ = '0';
      *o++ = '0';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 0xF];
    } else {
      *o++ = '\\';
      *o++ = e;
    }
    return o;
  }
  void grow(std::size_t more) {
    buf_.resize(std::max(buf_.size() * 2, n_ + more));
  }
  std::string buf_;
  std::size_t n_ = 0;
};

/// Writes `v`; false (and nothing written) when it holds nothing.
template <class T>
bool write_value(json_out& o, const T& v);

/// Writes `,"key":value` (no comma for the first member); cut off again when the value is empty.
template <class F>
void write_member(json_out& o, bool& first, std::string_view name, std::string_view suffix, F&& value) {
  const std::size_t mark = o.size();
  if (!first) o.put(',');
  o.key(name, suffix);
  if (value())
    first = false;
  else
    o.truncate(mark);
}

struct write_visitor {
  json_out& o;
  bool first = true;
  template <class M>
  void operator()(std::string_view name, const M& m, field_spec = {}) {
    if constexpr (std::is_same_v<M, std::string>) {
      if (m.empty()) return;
      o.string_member(first, name, m);
      first = false;
      return;
    } else if constexpr (detail::is_tagged<M>::value) {
      if (m.value.empty()) return;
      o.string_member(first, name, m.value);
      first = false;
      return;
    } else if constexpr (detail::is_optional<M>::value || std::is_same_v<M, any_resource>) {
      if (!m) return;
    } else if constexpr (detail::is_vector<M>::value) {
      if (m.empty()) return;
    }
    if constexpr (detail::is_choice<M>::value) {
      std::visit(
          [&](const auto& a) {
            using A = std::remove_cvref_t<decltype(a)>;
            write_member(o, first, name, choice_suffix<A>(), [&] { return write_value(o, a); });
          },
          *m);
    } else {
      write_member(o, first, name, {}, [&] { return write_value(o, m); });
    }
  }
};

template <class T>
bool write_value(json_out& o, const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (v.empty()) return false;
    o.string(v);
  } else if constexpr (detail::is_tagged<T>::value) {
    if (v.value.empty()) return false;
    o.string(v.value);
  } else if constexpr (std::is_same_v<T, bool>) {
    o.put(v ? std::string_view("true") : std::string_view("false"));
  } else if constexpr (std::is_same_v<T, std::int32_t> || std::is_same_v<T, PositiveInt>) {
    std::int32_t i = 0;
    if constexpr (std::is_same_v<T, PositiveInt>)
      i = v.value;
    else
      i = v;
    char digits[16];
    auto r = std::to_chars(digits, digits + sizeof digits, i);
    o.put(std::string_view(digits, static_cast<std::size_t>(r.ptr - digits)));
  } else if constexpr (std::is_same_v<T, decimal>) {
    o.put(v.text());
  } else if constexpr (detail::is_optional<T>::value) {
    if (!v) return false;
    return write_value(o, *v);
  } else if constexpr (detail::is_vector<T>::value) {
    const std::size_t mark = o.size();
    o.put('[');
    bool first = true;
    for (const auto& i : v) {
      const std::size_t item = o.size();
      if (!first) o.put(',');
      if (write_value(o, i))
        first = false;
      else
        o.truncate(item);
    }
    if (first) {
      o.truncate(mark);
      return false;
    }
    o.put(']');
  } else if constexpr (std::is_same_v<T, any_resource>) {
    if (v.empty()) return false;
    return std::visit([&](const auto& r) { return write_value(o, r); }, v.get());
  } else {
    static_assert(described<T>);
    const std::size_t mark = o.size();
    o.put('{');
    write_visitor vis{o};
    if constexpr (resource_type<T>) {
      o.put(std::string_view("\"resourceType\":"));
      o.string(T::resource_type);
      vis.first = false;
    }
    T::fields(v, vis);
    if (vis.first) {
      o.truncate(mark);
      return false;
    }
    o.put('}');
  }
  return true;
}

template <class T>
std::string write_json(const T& r) {
  // One buffer per thread keeps its capacity from one document to the next.
  thread_local json_out out;
  out.truncate(0);
  write_value(out, r);
  std::string text(out.view());
  out.release_if_large();
  return text;
}

// ------------------------------------------------------------------------------------------------
// Untrusted input → a small JSON tree (numbers kept as text), with limits.
// ------------------------------------------------------------------------------------------------

struct jnode {
  enum class kind : std::uint8_t { null, boolean, number, string, array, object };
  kind k = kind::null;
  bool b = false;
  std::string text;               // string value or number text
  std::vector<jnode> items;       // array items, or object member values
  std::vector<std::string> keys;  // object member names (parallel to items)
};

class tree_builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, tree_builder> {
 public:
  explicit tree_builder(const json_limits& l) : limits_(l) {}

  bool Null() { return add(jnode{}); }
  bool Bool(bool v) {
    jnode n;
    n.k = jnode::kind::boolean;
    n.b = v;
    return add(std::move(n));
  }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    jnode n;
    n.k = jnode::kind::number;
    n.text.assign(s, len);
    return add(std::move(n));
  }
  bool String(const char* s, rapidjson::SizeType len, bool) {
    if (!check_string(len)) return false;
    jnode n;
    n.k = jnode::kind::string;
    n.text.assign(s, len);
    return add(std::move(n));
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    if (!check_string(len)) return false;
    key_.assign(s, len);
    return true;
  }
  bool StartObject() { return open(jnode::kind::object); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(jnode::kind::array); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  jnode root;
  std::string limit_error;  // set when a limit stopped parsing

 private:
  bool check_string(std::size_t len) {
    if (len <= limits_.max_string_bytes) return true;
    limit_error = "string longer than the limit";
    return false;
  }
  bool count() {
    if (++values_ <= limits_.max_values) return true;
    limit_error = "too many JSON values";
    return false;
  }
  // Places a finished node into its parent (or as the root).
  jnode* place(jnode&& n) {
    if (stack_.empty()) {
      root = std::move(n);
      return &root;
    }
    jnode& parent = *stack_.back();
    if (parent.k == jnode::kind::object) parent.keys.push_back(std::move(key_));
    parent.items.push_back(std::move(n));
    return &parent.items.back();
  }
  bool add(jnode&& n) {
    if (!count()) return false;
    place(std::move(n));
    return true;
  }
  bool open(jnode::kind k) {
    if (!count()) return false;
    if (stack_.size() >= limits_.max_depth) {
      limit_error = "nesting deeper than the limit";
      return false;
    }
    jnode n;
    n.k = k;
    // Children are appended to the node in place; pointers into parent vectors stay valid
    // because a parent gets no new children while a child is open.
    stack_.push_back(place(std::move(n)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  const json_limits& limits_;
  std::vector<jnode*> stack_;
  std::string key_;
  std::size_t values_ = 0;
};

// ------------------------------------------------------------------------------------------------
// JSON tree → model
// ------------------------------------------------------------------------------------------------

struct read_context {
  issue_list& issues;
  std::string path;
  void error(issue_code code, std::string msg, severity sev = severity::error) {
    issues.push_back({sev, code, path, std::move(msg), hl7_error::none});
  }
};

/// The value of an object's member `key` (first one), or nullptr.
const jnode* member(const jnode& n, std::string_view key) {
  if (n.k != jnode::kind::object) return nullptr;
  for (std::size_t i = 0; i < n.keys.size(); ++i)
    if (n.keys[i] == key) return &n.items[i];
  return nullptr;
}

const char* kind_name(jnode::kind k) {
  switch (k) {
    case jnode::kind::null: return "null";
    case jnode::kind::boolean: return "boolean";
    case jnode::kind::number: return "number";
    case jnode::kind::string: return "string";
    case jnode::kind::array: return "array";
    case jnode::kind::object: return "object";
  }
  return "value";
}

bool expect(const jnode& n, jnode::kind k, read_context& cx) {
  if (n.k == k) return true;
  cx.error(issue_code::structure, std::string("expected ") + kind_name(k) + ", found " + kind_name(n.k));
  return false;
}

template <class T>
void read_value(const jnode& n, T& out, read_context& cx);

struct read_visitor {
  const jnode& obj;
  std::vector<bool>& used;
  read_context& cx;

  const jnode* take(std::string_view key) {
    for (std::size_t i = 0; i < obj.keys.size(); ++i)
      if (!used[i] && obj.keys[i] == key) {
        used[i] = true;
        return &obj.items[i];
      }
    return nullptr;
  }

  template <class M>
  void operator()(std::string_view name, M& m, field_spec = {}) {
    if constexpr (detail::is_choice<M>::value) {
      read_choice<typename M::value_type>(name, m,
                                          std::make_index_sequence<std::variant_size_v<typename M::value_type>>{});
    } else if (const jnode* n = take(name)) {
      path_scope p(cx.path, name);
      read_value(*n, m, cx);
    }
  }

  template <class V, class M, std::size_t... I>
  void read_choice(std::string_view name, M& m, std::index_sequence<I...>) {
    (read_alternative<std::variant_alternative_t<I, V>>(name, m), ...);
  }
  template <class A, class M>
  void read_alternative(std::string_view name, M& m) {
    std::string key(name);
    key += choice_suffix<A>();
    const jnode* n = take(key);
    if (!n) return;
    path_scope p(cx.path, key);
    if (m) {
      cx.error(issue_code::structure, "more than one type given for a choice element");
      return;
    }
    A a{};
    read_value(*n, a, cx);
    m = std::move(a);
  }
};

template <class T>
void read_object(const jnode& n, T& out, read_context& cx) {
  if (!expect(n, jnode::kind::object, cx)) return;
  if (n.keys.empty()) cx.error(issue_code::structure, "empty object");
  std::vector<bool> used(n.keys.size());
  read_visitor v{n, used, cx};
  T::fields(out, v);
  for (std::size_t i = 0; i < n.keys.size(); ++i) {
    if (used[i]) continue;
    const std::string& key = n.keys[i];
    if constexpr (resource_type<T>) {
      if (key == "resourceType") continue;
    }
    path_scope p(cx.path, key);
    bool duplicate = false;
    for (std::size_t j = 0; j < n.keys.size() && !duplicate; ++j) duplicate = j != i && used[j] && n.keys[j] == key;
    if (duplicate)
      cx.error(issue_code::duplicate, "element given more than once");
    else if (!key.empty() && key[0] == '_')
      cx.error(issue_code::not_supported, "primitive extensions are not supported; element ignored", severity::warning);
    else
      cx.error(issue_code::structure, "unknown element");
  }
}

std::optional<std::int64_t> parse_integer(std::string_view t) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return v;
}

void read_resource(const jnode& n, any_resource& out, read_context& cx);

template <class T>
void read_value(const jnode& n, T& out, read_context& cx) {
  if constexpr (std::is_same_v<T, std::string> || detail::is_tagged<T>::value) {
    if (!expect(n, jnode::kind::string, cx)) return;
    if (n.text.empty()) cx.error(issue_code::value, "empty string");
    if constexpr (std::is_same_v<T, std::string>)
      out = n.text;
    else
      out.value = n.text;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (expect(n, jnode::kind::boolean, cx)) out = n.b;
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    if (!expect(n, jnode::kind::number, cx)) return;
    auto v = parse_integer(n.text);
    if (!v || *v < std::numeric_limits<std::int32_t>::min() || *v > std::numeric_limits<std::int32_t>::max())
      cx.error(issue_code::value, "not a 32-bit integer");
    else
      out = static_cast<std::int32_t>(*v);
  } else if constexpr (std::is_same_v<T, PositiveInt>) {
    read_value(n, out.value, cx);
  } else if constexpr (std::is_same_v<T, decimal>) {
    if (!expect(n, jnode::kind::number, cx)) return;
    if (auto d = decimal::parse(n.text))
      out = std::move(*d);
    else
      cx.error(issue_code::value, "not a decimal");
  } else if constexpr (detail::is_optional<T>::value) {
    typename T::value_type v{};
    std::size_t before = cx.issues.size();
    read_value(n, v, cx);
    // A primitive is kept only when read without issue; an object also with issues inside it.
    if (cx.issues.size() == before || (described<typename T::value_type> && n.k == jnode::kind::object))
      out = std::move(v);
  } else if constexpr (detail::is_vector<T>::value) {
    if (!expect(n, jnode::kind::array, cx)) return;
    if (n.items.empty()) cx.error(issue_code::structure, "empty array");
    out.reserve(n.items.size());
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      path_scope p(cx.path, i);
      typename T::value_type v{};
      read_value(n.items[i], v, cx);
      out.push_back(std::move(v));
    }
  } else if constexpr (std::is_same_v<T, any_resource>) {
    read_resource(n, out, cx);
  } else {
    static_assert(described<T>);
    read_object(n, out, cx);
  }
}

void read_resource(const jnode& n, any_resource& out, read_context& cx) {
  if (!expect(n, jnode::kind::object, cx)) return;
  const jnode* type = member(n, "resourceType");
  if (!type || type->k != jnode::kind::string) {
    path_scope p(cx.path, "resourceType");
    cx.error(issue_code::required, "resourceType missing or not a string");
    return;
  }
  bool known = with_resource_type(type->text, [&](auto* tag) {
    std::remove_pointer_t<decltype(tag)> r{};
    read_object(n, r, cx);
    out = std::move(r);
  });
  if (!known) {
    path_scope p(cx.path, "resourceType");
    cx.error(issue_code::not_supported, "unsupported resourceType");
  }
}

}  // namespace

template <class T>
requires resource_type<T> std::string to_json(const T& resource) {
  return write_json(resource);
}

std::string to_json(const any_resource& resource) {
  if (resource.empty()) return "{}";
  return write_json(resource);
}

#define GW_FHIR_INSTANTIATE(T) template std::string to_json<T>(const T&);
GW_FHIR_FOR_EACH_RESOURCE(GW_FHIR_INSTANTIATE)
#undef GW_FHIR_INSTANTIATE

any_resource parse_resource(std::string_view json, issue_list& issues, const json_limits& limits) {
  any_resource out;
  if (json.size() > limits.max_bytes) {
    issues.push_back({severity::error, issue_code::too_costly, "$", "document larger than the limit", hl7_error::none});
    return out;
  }
  tree_builder builder(limits);
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(json.data(), json.size());
  constexpr unsigned flags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;
  rapidjson::ParseResult ok = reader.Parse<flags>(ms, builder);
  if (!ok) {
    std::string where = "$ (offset " + std::to_string(ok.Offset()) + ")";
    if (!builder.limit_error.empty())
      issues.push_back({severity::error, issue_code::too_costly, where, builder.limit_error, hl7_error::none});
    else
      issues.push_back({severity::error, issue_code::structure, where,
                        std::string("invalid JSON: ") + rapidjson::GetParseError_En(ok.Code()), hl7_error::none});
    return out;
  }
  read_context cx{issues, {}};
  const jnode* type = member(builder.root, "resourceType");
  cx.path = type && type->k == jnode::kind::string ? type->text : "$";
  read_resource(builder.root, out, cx);
  return out;
}

}  // namespace gw::fhir
