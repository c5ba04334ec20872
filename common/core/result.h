#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace spidi {

// What went wrong, in terms every layer can map: REST turns it into a problem+json status,
// the WebSocket gateway into an ERROR code.
enum class ErrorKind {
    Invalid,     // 400/422: the input is wrong (field says which)
    NotFound,    // 404
    Conflict,    // 409: stale version or duplicate code
    Forbidden,   // 403
    Unavailable, // 503: database or store is down
    Internal,    // 500
};

struct Error
{
    ErrorKind kind = ErrorKind::Internal;
    QString message;
    QString field; // the offending input field, when there is one
};

// A value or an Error. std::expected is C++23; this is the subset the project needs.
template <typename T>
class Result
{
public:
    Result(T value) : m_data(std::move(value)) {}
    Result(Error error) : m_data(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_data); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_data); }
    T &value() & { return std::get<T>(m_data); }
    T &&value() && { return std::get<T>(std::move(m_data)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }

    const Error &error() const { return std::get<Error>(m_data); }

private:
    std::variant<T, Error> m_data;
};

struct Ok
{};
using Status = Result<Ok>;

inline Error makeError(ErrorKind kind, QString message, QString field = {})
{
    return Error{kind, std::move(message), std::move(field)};
}

} // namespace spidi
