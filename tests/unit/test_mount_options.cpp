#include <gtest/gtest.h>
#include <linux/mount.h>
#include <sys/mount.h>

#include "linux/mount_options.hpp"

using sandbox::linux_::parse_mount_options;

TEST(MountOptions, AttributesSetAndClear) {
  auto o = parse_mount_options({"nosuid", "nodev", "noexec", "ro"});
  EXPECT_EQ(o.attr_set,
            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY);
  EXPECT_EQ(o.attr_clr, 0u);
  EXPECT_FALSE(o.bind);
  EXPECT_TRUE(o.data.empty());
}

TEST(MountOptions, LaterOptionWins) {
  auto o = parse_mount_options({"ro", "rw"});
  EXPECT_EQ(o.attr_set & MOUNT_ATTR_RDONLY, 0u);
  EXPECT_EQ(o.attr_clr & MOUNT_ATTR_RDONLY, MOUNT_ATTR_RDONLY);
}

TEST(MountOptions, AtimeFamilyIsOneField) {
  auto o = parse_mount_options({"noatime", "strictatime"});
  EXPECT_EQ(o.attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_STRICTATIME);
  EXPECT_EQ(o.attr_clr & MOUNT_ATTR__ATIME, MOUNT_ATTR__ATIME);
  auto r = parse_mount_options({"relatime"});
  EXPECT_EQ(r.attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME);
}

TEST(MountOptions, BindAndRbind) {
  EXPECT_TRUE(parse_mount_options({"bind"}).bind);
  EXPECT_FALSE(parse_mount_options({"bind"}).recursive_bind);
  auto r = parse_mount_options({"rbind", "ro"});
  EXPECT_TRUE(r.bind);
  EXPECT_TRUE(r.recursive_bind);
}

TEST(MountOptions, RecursiveAttributeForm) {
  auto o = parse_mount_options({"rro"});
  EXPECT_TRUE(o.recursive_attrs);
  EXPECT_EQ(o.attr_set, MOUNT_ATTR_RDONLY);
}

TEST(MountOptions, Propagation) {
  auto o = parse_mount_options({"rslave"});
  EXPECT_EQ(o.propagation, static_cast<uint64_t>(MS_SLAVE));
  EXPECT_TRUE(o.recursive_propagation);
  auto p = parse_mount_options({"private"});
  EXPECT_EQ(p.propagation, static_cast<uint64_t>(MS_PRIVATE));
  EXPECT_FALSE(p.recursive_propagation);
}

TEST(MountOptions, FilesystemDataKeepsOrderAndValues) {
  auto o = parse_mount_options({"nosuid", "mode=755", "size=65536k", "newinstance"});
  ASSERT_EQ(o.data.size(), 3u);
  EXPECT_EQ(o.data[0], std::make_pair(std::string("mode"), std::string("755")));
  EXPECT_EQ(o.data[1], std::make_pair(std::string("size"), std::string("65536k")));
  EXPECT_EQ(o.data[2], std::make_pair(std::string("newinstance"), std::string("")));
}

TEST(MountOptions, TmpcopyupIsOursNotTheFilesystems) {
  auto o = parse_mount_options({"rw", "rprivate", "nosuid", "tmpcopyup", "size=64k"});
  EXPECT_TRUE(o.copy_up);
  ASSERT_EQ(o.data.size(), 1u);  // only size= goes to tmpfs
  EXPECT_EQ(o.data[0].first, "size");
  EXPECT_FALSE(parse_mount_options({"rw"}).copy_up);
}
