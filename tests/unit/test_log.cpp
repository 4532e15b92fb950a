#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sys/log.hpp"

using sandbox::log::json_record;
using sandbox::log::text_record;
using sandbox::log::text_value;

// runc's (logrus') record forms, as runc 1.1 writes them:
//   time="2026-12-02T11:44:52Z" level=error msg="container does not exist"
//   {"level":"error","msg":"container does not exist","time":"2026-12-02T11:44:52Z"}
TEST(Log, TextRecordIsLogrusForm) {
  EXPECT_EQ(text_record("2026-12-02T11:44:52Z", "debug", "container c1 exited with code 0"),
            "time=\"2026-12-02T11:44:52Z\" level=debug msg=\"container c1 exited with code 0\"\n");
  EXPECT_EQ(text_record("T", "warning", "plain-word_1.2/x@y^z+"),
            "time=\"T\" level=warning msg=plain-word_1.2/x@y^z+\n");
}

TEST(Log, TextValueQuotesAsGo) {
  EXPECT_EQ(text_value(""), "");
  EXPECT_EQ(text_value("a b"), "\"a b\"");
  EXPECT_EQ(text_value("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(text_value("l1\nl2\t\x01"), "\"l1\\nl2\\t\\x01\"");
  EXPECT_EQ(text_value("caf\xc3\xa9 ok"), "\"caf\xc3\xa9 ok\"");
}

TEST(Log, JsonRecordHasLogrusKeysInOrder) {
  std::string line = json_record("2026-12-02T11:44:52Z", "error", "container \"x\" does not exist");
  EXPECT_EQ(line,
            "{\"level\":\"error\",\"msg\":\"container \\\"x\\\" does not exist\","
            "\"time\":\"2026-12-02T11:44:52Z\"}\n");
  EXPECT_NO_THROW(nlohmann::json::parse(line));
}

// The final error on stderr stays one line whatever an id or option quoted in it holds.
TEST(Log, OneLineEscapesControlCharacters) {
  using sandbox::log::one_line;
  EXPECT_EQ(one_line("plain message: /a/b"), "plain message: /a/b");
  EXPECT_EQ(one_line("id \"a\nb\": bad\r\t\x01\x7f"), "id \"a\\nb\": bad\\r\\t\\x01\\x7f");
  EXPECT_EQ(one_line("caf\xc3\xa9"), "caf\xc3\xa9");
}
