#include <gtest/gtest.h>
#include <unistd.h>

#include "linux/subid.hpp"

using sandbox::linux_::find_subid_range;
using sandbox::oci::IdRange;

TEST(Subid, MatchByName) {
  const char* file = "root:100000:65536\nalice:165536:65536\n";
  EXPECT_EQ(find_subid_range(file, "alice", 1000), (IdRange{165536, 65536}));
  EXPECT_EQ(find_subid_range(file, "root", 0), (IdRange{100000, 65536}));
  EXPECT_EQ(find_subid_range(file, "bob", 1001), std::nullopt);
}

TEST(Subid, MatchByDecimalId) {
  const char* file = "alice:100000:10\n1001:200000:20\n";
  EXPECT_EQ(find_subid_range(file, "bob", 1001), (IdRange{200000, 20}));
  EXPECT_EQ(find_subid_range(file, "", 1001), (IdRange{200000, 20}));
  EXPECT_EQ(find_subid_range(file, "", 1000), std::nullopt);
}

TEST(Subid, FirstMatchWins) {
  const char* file = "1000:300000:5\nalice:100000:10\nalice:200000:20\n";
  EXPECT_EQ(find_subid_range(file, "alice", 1000), (IdRange{300000, 5}));
  EXPECT_EQ(find_subid_range(file, "alice", 4), (IdRange{100000, 10}));
}

TEST(Subid, SkipsCommentsBlankAndMalformedLines) {
  const char* file =
      "# alice:1:1\n"
      "\n"
      "   \n"
      "alice:100000\n"               // too few fields
      "alice:1:2:3\n"                // too many
      "alice:x:10\n"                 // not a number
      "alice:-5:10\n"                // negative
      "alice:100:0\n"                // empty range
      "alice:4294967295:2\n"         // past 2^32
      ":500:10\n"                    // no owner
      "alice:99999999999:10\n"       // does not fit 32 bits
      "  alice:400000:65536  \r\n";  // whitespace and CRLF are tolerated
  EXPECT_EQ(find_subid_range(file, "alice", 1000), (IdRange{400000, 65536}));
}

TEST(Subid, NoTrailingNewlineAndEmptyFile) {
  EXPECT_EQ(find_subid_range("alice:5:6", "alice", 1), (IdRange{5, 6}));
  EXPECT_EQ(find_subid_range("", "alice", 1), std::nullopt);
}

TEST(Subid, NameIsNotAPrefixMatch) {
  EXPECT_EQ(find_subid_range("alicex:5:6\nali:7:8\n", "alice", 1), std::nullopt);
}

TEST(Subid, ReadFilesDoNotThrow) {
  // Whatever this machine grants, reading must work (a missing file is nullopt).
  EXPECT_NO_THROW(sandbox::linux_::read_subuid(::getuid()));
  EXPECT_NO_THROW(sandbox::linux_::read_subgid(::getuid()));
}
