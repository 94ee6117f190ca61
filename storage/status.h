// Status and Result<T>: how every epsync layer reports failure without exceptions.
// A Status names what went wrong in words a registrar or administrator can act on.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace epsync {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidInput,   // the caller's data is wrong: exit code 2 at the CLI
    kNotFound,
    kAlreadyExists,
    kCorrupt,        // a file that is not an epsync store or is damaged
    kVersion,        // a store or peer speaks a newer schema/protocol
    kBusy,           // the store is locked by another writer for too long
    kClockSkew,      // a timestamp too far ahead of this clock
    kForbidden,      // well formed, but the one asking may not do it (another centre's row or site)
    kPermissionDenied,  // the system refused this user a file or directory: "PATH: permission denied"
    kIoError,        // anything else from SQLite or the OS
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string m) { return Status(Code::kInvalidInput, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
  static Status Corrupt(std::string m) { return Status(Code::kCorrupt, std::move(m)); }
  static Status Version(std::string m) { return Status(Code::kVersion, std::move(m)); }
  static Status Busy(std::string m) { return Status(Code::kBusy, std::move(m)); }
  static Status ClockSkew(std::string m) { return Status(Code::kClockSkew, std::move(m)); }
  static Status Forbidden(std::string m) { return Status(Code::kForbidden, std::move(m)); }
  static Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }
  static Status PermissionDenied(const std::string& path) {
    return Status(Code::kPermissionDenied, path + kPermissionDeniedSuffix);
  }
  static constexpr const char* kPermissionDeniedSuffix = ": permission denied";

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "what: message", for adding context as an error travels up.
  Status prefixed(const std::string& what) const {
    return ok() ? *this : Status(code_, what + ": " + message_);
  }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Either a value or the Status explaining why there is none.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {      // NOLINT
    assert(!std::get<Status>(v_).ok() && "a Result built from a Status must carry an error");
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  // By value, so `for (auto& x : f().value())` cannot dangle.
  T value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

inline const Status& status_of(const Status& s) { return s; }
template <class T>
const Status& status_of(const Result<T>& r) { return r.status(); }

}  // namespace epsync

// Propagate a failed Status (or the Status of a failed Result) to the caller.
#define EPSYNC_RETURN_IF_ERROR(expr)          \
  do {                                        \
    auto epsync_status_ = (expr);             \
    if (!epsync_status_.ok()) return ::epsync::status_of(epsync_status_); \
  } while (0)
