// Status: see include/textdb/status.h.
#include "textdb/status.h"

namespace textdb {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kInvalidData:
      return "invalid data";
    case StatusCode::kIOError:
      return "I/O error";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kNotSupported:
      return "not supported";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace textdb
