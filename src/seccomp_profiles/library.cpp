#include "seccomp_profiles/library.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace sandbox::seccomp_profile {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A name is a plain word: no path, no extension. Anything else means a file.
bool is_name(const std::string& s) {
  return !s.empty() && s.find('/') == std::string::npos &&
         !(s.size() > 5 && s.compare(s.size() - 5, 5, ".json") == 0);
}

json parse_file(const std::string& path) {
  std::string text;
  try {
    text = sys::read_file(path);
  } catch (const Error& e) {
    fail("seccomp profile {}: {}", path, e.what());
  }
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) fail("seccomp profile {}: not valid JSON", path);
  if (!doc.is_object()) fail("seccomp profile {}: not a JSON object", path);
  return doc;
}

}  // namespace

std::vector<std::string> profile_dirs(const std::string& exe_path) {
  fs::path dir = fs::path(exe_path).parent_path();
  std::vector<std::string> out;
  for (fs::path p : {dir.parent_path() / "share" / "sandbox" / "profiles", dir / "profiles",
                     dir.parent_path() / "profiles"})
    if (is_dir(p.string())) out.push_back(p.string());
  return out;
}

std::vector<std::string> known_profiles(const std::vector<std::string>& dirs) {
  std::vector<std::string> names;
  for (const auto& d : dirs) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(d, ec)) {
      if (e.path().extension() != ".json") continue;
      std::string n = e.path().stem().string();
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

json load_profile(const std::string& name_or_file, const std::vector<std::string>& dirs,
                  const DockerTarget& target) {
  std::string path;
  if (is_name(name_or_file)) {
    for (const auto& d : dirs) {
      std::string p = d + "/" + name_or_file + ".json";
      if (is_file(p)) {
        path = p;
        break;
      }
    }
    if (path.empty()) {
      std::string known;
      for (const auto& n : known_profiles(dirs)) known += (known.empty() ? "" : ", ") + n;
      fail("seccomp profile \"{}\": no such profile (known: {})", name_or_file,
           known.empty() ? "none installed" : known);
    }
  } else {
    path = name_or_file;
  }
  json doc = parse_file(path);
  if (is_docker_format(doc)) return from_docker(doc, target);
  if (!doc.contains("defaultAction"))
    fail("seccomp profile {}: not a linux.seccomp document (no defaultAction)", path);
  return doc;
}

}  // namespace sandbox::seccomp_profile
