#pragma once
/// Database errors told safely: the server's message text can quote the row it failed on (a
/// patient's name inside a JSON document, say), so logs and terminals get its SQLSTATE instead.

#include <exception>
#include <string>

namespace gw::store {

/// What went wrong, fit for a log line or a terminal: "SQLSTATE 57014 (query canceled or
/// statement timeout)" for a server error, "connection lost", "database unavailable", "commit in
/// doubt", else the exception's type name, readable. Never the text of the server's message.
std::string describe_error(const std::exception& e);

}  // namespace gw::store
