#pragma once
// Reading config.json into oci::Spec. Every type is checked and every value validated up front,
// so the rest of sandbox works on typed, sane values; a field sandbox cannot honour yet is
// refused, never silently ignored. Each error is one line naming the JSON path:
//   config.json: linux.uidMappings[0].size: must be greater than 0
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/spec.hpp"

namespace sandbox::oci {

// Parses and validates a config.json document. Unknown keys are ignored (forward compatibility);
// JSON null counts as absent. Throws sandbox::Error "config.json: <json path>: <what is wrong>".
Spec parse_spec(const nlohmann::json& config);

// Parses a process object on its own (`exec --process FILE`): the same checks as config.json's
// `process`, with errors "<label>: <json path>: <what is wrong>".
Process parse_process_file(const nlohmann::json& process, const std::string& label);

// Parses a linux.resources object on its own (`update -r FILE`): the same checks as
// config.json's, with errors "<label>: <json path>: <what is wrong>".
Resources parse_resources_file(const nlohmann::json& resources, const std::string& label);

// Parses a hooks object on its own (the hooks state.json keeps for start and delete): the same
// checks as config.json's `hooks`, with errors "<label>: <json path>: <what is wrong>".
Hooks parse_hooks_file(const nlohmann::json& hooks, const std::string& label);

// Reads <bundle_dir>/config.json and parses it. Throws sandbox::Error
// "config.json: open <absolute path>: <errno text>" when it cannot be read and
// "config.json: not valid JSON: <parser detail>" when it is not JSON.
Spec load_spec(const std::string& bundle_dir);
// The two halves of load_spec: create reads the text once, parses it and keeps that same
// text as the state directory's copy (what every later command reads).
std::string read_config_text(const std::string& bundle_dir);
Spec parse_spec_text(const std::string& text);

// The hook kinds config.json may name, in lifecycle order, with the list each fills
// ("prestart" -> &h.prestart, ...): the parser and the features document share it.
std::vector<std::pair<std::string_view, std::vector<Hook>*>> hook_lists(Hooks& h);
std::vector<std::string> hook_kinds();

// The linux.namespaces types parse_spec accepts ("time" is refused): the features document's
// linux.namespaces.
const std::vector<NamespaceType>& supported_namespaces();

// The namespace a linux.sysctl key belongs to, as the kernel scopes it (net.* network,
// kernel.msg*/sem/shm* and fs.mqueue.* IPC, kernel.hostname/domainname UTS), or nullopt for
// the global ones, which would change the host.
std::optional<NamespaceType> sysctl_namespace(std::string_view key);

}  // namespace sandbox::oci
