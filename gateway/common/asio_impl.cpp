// Asio, Asio SSL and Beast compiled once for the whole project (separate compilation), so that
// translation units using them stay quick to build on small machines.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
