// Result<T>: a value or the reason it could not be had, carried up to the user. The message
// says what failed and why ("store: blob sha256:ab… is 12 bytes short"), in the user's
// language where it comes from tr().
#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace drover {

template <typename T> class [[nodiscard]] Result {
public:
    Result(T value) // NOLINT(google-explicit-constructor): returning a value is the ok path
        : m_value(std::move(value))
    { }
    static Result failure(QString message)
    {
        Result r;
        r.m_error = std::move(message);
        return r;
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T &operator*() const & { return *m_value; }
    T &operator*() & { return *m_value; }
    T &&operator*() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const QString &error() const { return m_error; }

private:
    Result() = default;
    std::optional<T> m_value;
    QString m_error;
};

// Status: success, or the reason for failure.
class [[nodiscard]] Status {
public:
    Status() = default;
    static Status failure(QString message)
    {
        Status s;
        s.m_failed = true;
        s.m_error = std::move(message);
        return s;
    }
    template <typename T> static Status from(const Result<T> &result)
    {
        return result.ok() ? Status() : failure(result.error());
    }
    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const QString &error() const { return m_error; }

private:
    bool m_failed = false;
    QString m_error;
};

} // namespace drover
