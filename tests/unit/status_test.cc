// Tests for Status and Result (include/textdb/status.h).
#include "textdb/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace textdb {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = Status::InvalidData("f:1:2: error: bad [F-001]");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidData);
  EXPECT_EQ(s.message(), "f:1:2: error: bad [F-001]");
  EXPECT_EQ(s.ToString(), "invalid data: f:1:2: error: bad [F-001]");
}

TEST(StatusTest, EveryCodeHasAName) {
  for (StatusCode c :
       {StatusCode::kNotFound, StatusCode::kInvalidArgument, StatusCode::kInvalidData,
        StatusCode::kIOError, StatusCode::kConflict, StatusCode::kNotSupported}) {
    EXPECT_NE(StatusCodeName(c), "unknown");
    EXPECT_NE(StatusCodeName(c), "ok");
  }
}

Status FailIfNegative(int x) {
  if (x < 0) return Status::InvalidArgument("negative");
  return Status::Ok();
}

Status Chain(int x) {
  TEXTDB_RETURN_IF_ERROR(FailIfNegative(x));
  return Status::NotFound("reached the end");
}

TEST(StatusTest, ReturnIfErrorPropagatesOnlyErrors) {
  EXPECT_EQ(Chain(-1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Chain(1).code(), StatusCode::kNotFound);
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<std::string> good(std::string("value"));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, "value");
  EXPECT_EQ(good->size(), 5u);
  EXPECT_TRUE(good.status().ok());

  Result<std::string> bad(Status::IOError("disk"));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kIOError);
}

TEST(ResultTest, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace textdb
