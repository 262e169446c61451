// Status and Result<T>: how every fallible textdb call reports failure.
//
// textdb never throws across its public API, never prints and never aborts. A call that can fail
// returns a Status (no value) or a Result<T> (a value or a Status). Both are [[nodiscard]].
//
// Thread-safety: Status and Result are plain values; distinct objects may be used from distinct
// threads, one object needs external synchronisation.
// Lifetime: references from message(), status() and value() are valid while the object lives
// and is not assigned to (or, for value() &&, moved from).
#ifndef TEXTDB_STATUS_H_
#define TEXTDB_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace textdb {

// The error classes. The command-line tool maps them to exit codes (see README.md).
enum class StatusCode {
  kOk = 0,
  kNotFound,         // the thing asked for does not exist
  kInvalidArgument,  // the caller passed something unusable (bad name, bad option)
  kInvalidData,      // input or stored data breaks the format or the schema
  kIOError,          // the operating system reported an error
  kConflict,         // a concurrent change or a lock prevents the operation
  kNotSupported,     // the operation is valid but not available here
};

// Returns a stable lower-case name for `code`, e.g. "invalid data".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status InvalidData(std::string msg) { return {StatusCode::kInvalidData, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status NotSupported(std::string msg) {
    return {StatusCode::kNotSupported, std::move(msg)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The human-readable message; for data errors it starts with `FILE:LINE:COL:`.
  const std::string& message() const { return message_; }
  // "OK", or "<code name>: <message>".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value of type T, or the Status saying why there is none.
// INVARIANT: holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  // REQUIRES: !status.ok()
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {  // NOLINT: implicit
    assert(!std::get<1>(state_).ok());
  }

  bool ok() const { return state_.index() == 0; }
  // The error, or an OK status when a value is held. The reference lives as long as *this.
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(state_);
  }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace textdb

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define TEXTDB_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::textdb::Status textdb_status_ = (expr);        \
    if (!textdb_status_.ok()) return textdb_status_; \
  } while (0)

#endif  // TEXTDB_STATUS_H_
