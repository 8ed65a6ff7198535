#include "fhir/datetime.hpp"

#include <array>
#include <charconv>
#include <cstdio>

namespace gw::fhir {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in(int y, int m) {
  static constexpr std::array<int, 12> d{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : d[static_cast<std::size_t>(m - 1)];
}

/// Broken-down value with the precision reached; -1 = absent.
struct parts {
  int y = -1, mo = -1, d = -1, h = -1, mi = -1, s = -1;
  std::string frac;    // digits after the point
  std::string offset;  // "+07:00"
  time_precision precision = time_precision::year;
};

/// Checks ranges; returns an error text or nullptr.
const char* check(const parts& p) {
  if (p.y < 1) return "year out of range";
  if (p.mo != -1 && (p.mo < 1 || p.mo > 12)) return "month out of range";
  if (p.d != -1 && (p.d < 1 || p.d > days_in(p.y, p.mo))) return "day out of range";
  if (p.h != -1 && p.h > 23) return "hour out of range";
  if (p.mi != -1 && p.mi > 59) return "minute out of range";
  if (p.s != -1 && p.s > 59) return "second out of range";
  return nullptr;
}

/// Appends `v` as printf's "%0<width>d" does, without printf for the usual non-negative case.
void put_number(std::string& out, int v, std::size_t width) {
  char b[16];
  if (v < 0) {
    const int n = std::snprintf(b, sizeof b, "%0*d", static_cast<int>(width), v);
    out.append(b, static_cast<std::size_t>(n > 0 ? n : 0));
    return;
  }
  const auto r = std::to_chars(b, b + sizeof b, v);
  const auto len = static_cast<std::size_t>(r.ptr - b);
  if (len < width) out.append(width - len, '0');
  out.append(b, len);
}

/// Writes `v` (0..9999) as `width` (2 or 4) digits at `o`.
char* put_digits(char* o, int v, int width) {
  if (width == 4) {
    *o++ = static_cast<char>('0' + v / 1000);
    *o++ = static_cast<char>('0' + v / 100 % 10);
  }
  *o++ = static_cast<char>('0' + v / 10 % 10);
  *o++ = static_cast<char>('0' + v % 10);
  return o;
}

std::string format(const parts& p) {
  const bool timed = p.precision > time_precision::day;
  const auto small = [](int v, int max) { return v >= 0 && v <= max; };
  // The usual case (every part in range) is written into a stack buffer and copied once;
  // anything else (a negative or five-digit year) goes the general way.
  if (small(p.y, 9999) && (p.precision < time_precision::month || small(p.mo, 99)) &&
      (p.precision < time_precision::day || small(p.d, 99)) &&
      (!timed || (small(p.h, 99) && p.mi <= 99 && p.s <= 99))) {
    char b[20];
    char* o = put_digits(b, p.y, 4);
    if (p.precision >= time_precision::month) {
      *o++ = '-';
      o = put_digits(o, p.mo, 2);
    }
    if (p.precision >= time_precision::day) {
      *o++ = '-';
      o = put_digits(o, p.d, 2);
    }
    if (timed) {
      *o++ = 'T';
      o = put_digits(o, p.h, 2);
      *o++ = ':';
      o = put_digits(o, p.mi < 0 ? 0 : p.mi, 2);
      *o++ = ':';
      o = put_digits(o, p.s < 0 ? 0 : p.s, 2);
    }
    const auto head = static_cast<std::size_t>(o - b);
    if (!timed) return std::string(b, head);
    std::string out;
    out.reserve(head + 1 + p.frac.size() + p.offset.size());
    out.append(b, head);
    if (!p.frac.empty()) out.append(1, '.').append(p.frac);
    out += p.offset;
    return out;
  }
  std::string out;
  out.reserve(32);
  put_number(out, p.y, 4);
  if (p.precision >= time_precision::month) {
    out += '-';
    put_number(out, p.mo, 2);
  }
  if (p.precision >= time_precision::day) {
    out += '-';
    put_number(out, p.d, 2);
  }
  if (timed) {
    out += 'T';
    put_number(out, p.h, 2);
    out += ':';
    put_number(out, p.mi < 0 ? 0 : p.mi, 2);
    out += ':';
    put_number(out, p.s < 0 ? 0 : p.s, 2);
    if (!p.frac.empty()) out.append(".").append(p.frac);
    out += p.offset;
  }
  return out;
}

/// `+0700` / `-0530` (HL7) → `+07:00`; also accepts `+07:00`. Empty on error.
std::string hl7_offset(std::string_view z) {
  if (z.size() == 6 && z[3] == ':') {
    std::string t{z.substr(0, 3)};
    t += z.substr(4);
    return hl7_offset(t);
  }
  if (z.size() != 5 || (z[0] != '+' && z[0] != '-') || !all_digits(z.substr(1))) return {};
  int hh = num(z.substr(1, 2)), mm = num(z.substr(3, 2));
  if (hh > 14 || mm > 59 || (hh == 14 && mm != 0)) return {};
  std::string out{z.substr(0, 3)};
  out += ':';
  out += z.substr(3, 2);
  return out;
}

void fail(issue_list& issues, std::string_view location, const char* what) {
  issues.push_back({severity::error, issue_code::value, std::string(location), what, hl7_error::data_type_error});
}

bool valid_zone(std::string_view z) {
  if (z == "Z") return true;
  return !hl7_offset(z).empty() && z.size() == 6;
}

/// Parses FHIR `YYYY[-MM[-DD[Thh:mm:ss[.f+]zone]]]`; `need_time` demands the time part.
bool parse_fhir(std::string_view s, bool need_time) {
  auto dig = [&](std::size_t pos, std::size_t len) { return s.size() >= pos + len && all_digits(s.substr(pos, len)); };
  parts p;
  if (!dig(0, 4)) return false;
  p.y = num(s.substr(0, 4));
  if (s.size() == 4) return !need_time && check(p) == nullptr;
  if (s[4] != '-' || !dig(5, 2)) return false;
  p.mo = num(s.substr(5, 2));
  if (s.size() == 7) return !need_time && check(p) == nullptr;
  if (s[7] != '-' || !dig(8, 2)) return false;
  p.d = num(s.substr(8, 2));
  if (s.size() == 10) return !need_time && check(p) == nullptr;
  if (s.size() < 20 || s[10] != 'T' || !dig(11, 2) || s[13] != ':' || !dig(14, 2) || s[16] != ':' || !dig(17, 2))
    return false;
  p.h = num(s.substr(11, 2));
  p.mi = num(s.substr(14, 2));
  p.s = num(s.substr(17, 2));
  std::size_t i = 19;
  if (s[i] == '.') {
    std::size_t b = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == b) return false;
  }
  return valid_zone(s.substr(i)) && check(p) == nullptr;
}

}  // namespace

std::optional<fhir_time> from_hl7_dtm(std::string_view dtm, issue_list& issues, std::string_view location,
                                      const time_settings& settings) {
  std::size_t n = 0;
  while (n < dtm.size() && dtm[n] >= '0' && dtm[n] <= '9') ++n;
  std::string_view digits = dtm.substr(0, n), rest = dtm.substr(n);
  if (n < 4 || n > 14 || n % 2 != 0) {
    fail(issues, location, "date/time must have 4, 6, 8, 10, 12 or 14 digits");
    return std::nullopt;
  }
  parts p;
  p.y = num(digits.substr(0, 4));
  if (n >= 6) p.mo = num(digits.substr(4, 2));
  if (n >= 8) p.d = num(digits.substr(6, 2));
  if (n >= 10) p.h = num(digits.substr(8, 2));
  if (n >= 12) p.mi = num(digits.substr(10, 2));
  if (n >= 14) p.s = num(digits.substr(12, 2));
  static constexpr std::array<time_precision, 6> by_len{time_precision::year,   time_precision::month,
                                                        time_precision::day,    time_precision::hour,
                                                        time_precision::minute, time_precision::second};
  p.precision = by_len[(n - 4) / 2];
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (n != 14 || i == 1 || i > 5) {
      fail(issues, location, "fraction of a second needs full seconds and 1 to 4 digits");
      return std::nullopt;
    }
    p.frac = std::string(rest.substr(1, i - 1));
    p.precision = time_precision::fraction;
    rest = rest.substr(i);
  }
  if (!rest.empty()) {
    p.offset = hl7_offset(rest);
    if (p.offset.empty()) {
      fail(issues, location, "bad time zone offset (expected +HHMM or -HHMM)");
      return std::nullopt;
    }
  } else {
    p.offset = settings.default_offset;
  }
  if (const char* e = check(p)) {
    fail(issues, location, e);
    return std::nullopt;
  }
  return fhir_time{format(p), p.precision};
}

std::optional<fhir_time> from_qd130(std::string_view text, issue_list& issues, std::string_view location,
                                    const time_settings& settings) {
  if (!all_digits(text) || (text.size() != 8 && text.size() != 12 && text.size() != 14)) {
    fail(issues, location, "date must be yyyymmdd, yyyymmddHHMM or yyyymmddHHMMSS");
    return std::nullopt;
  }
  parts p;
  p.offset = settings.default_offset;
  p.y = num(text.substr(0, 4));
  int mo = num(text.substr(4, 2)), d = num(text.substr(6, 2));
  if (mo == 0) {
    p.precision = time_precision::year;  // month (and day) unknown
  } else if (d == 0) {
    p.mo = mo;
    p.precision = time_precision::month;
  } else {
    p.mo = mo;
    p.d = d;
    p.precision = time_precision::day;
    if (text.size() >= 12) {
      int h = num(text.substr(8, 2)), mi = num(text.substr(10, 2));
      int s = text.size() == 14 ? num(text.substr(12, 2)) : 0;
      bool unknown = settings.zero_time_is_unknown && h == 0 && mi == 0 && s == 0;
      if (!unknown) {
        p.h = h;
        p.mi = mi;
        p.s = s;
        p.precision = text.size() == 14 ? time_precision::second : time_precision::minute;
      }
    }
  }
  if (const char* e = check(p)) {
    fail(issues, location, e);
    return std::nullopt;
  }
  return fhir_time{format(p), p.precision};
}

bool is_fhir_date(std::string_view s) {
  return s.size() <= 10 && parse_fhir(s, false);
}
bool is_fhir_date_time(std::string_view s) {
  return parse_fhir(s, false);
}
bool is_fhir_instant(std::string_view s) {
  return parse_fhir(s, true);
}

bool is_fhir_time(std::string_view s) {
  if (s.size() < 8 || !all_digits(s.substr(0, 2)) || s[2] != ':' || !all_digits(s.substr(3, 2)) || s[5] != ':' ||
      !all_digits(s.substr(6, 2)))
    return false;
  if (num(s.substr(0, 2)) > 23 || num(s.substr(3, 2)) > 59 || num(s.substr(6, 2)) > 59) return false;
  if (s.size() == 8) return true;
  return s[8] == '.' && s.size() > 9 && all_digits(s.substr(9));
}

std::string format_instant(std::chrono::system_clock::time_point t, std::string_view offset) {
  using namespace std::chrono;
  std::string off = offset == "Z" ? std::string() : hl7_offset(offset);
  minutes shift{0};
  if (!off.empty()) {
    int hh = num(std::string_view(off).substr(1, 2)), mm = num(std::string_view(off).substr(4, 2));
    shift = minutes{(off[0] == '-' ? -1 : 1) * (hh * 60 + mm)};
  }
  auto local = time_point_cast<milliseconds>(t) + shift;
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> tod{local - day};
  std::string out;
  out.reserve(30);
  put_number(out, static_cast<int>(ymd.year()), 4);
  out += '-';
  put_number(out, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  out += '-';
  put_number(out, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  out += 'T';
  put_number(out, static_cast<int>(tod.hours().count()), 2);
  out += ':';
  put_number(out, static_cast<int>(tod.minutes().count()), 2);
  out += ':';
  put_number(out, static_cast<int>(tod.seconds().count()), 2);
  out += '.';
  put_number(out, static_cast<int>(tod.subseconds().count()), 3);
  out += off.empty() ? std::string_view("Z") : std::string_view(off);
  return out;
}

}  // namespace gw::fhir
