#include "oci/spec.hpp"

#include "oci/namespace_table.hpp"

namespace sandbox::oci {

const char* namespace_name(NamespaceType t) {
  // The table's names are literals, so their data is NUL-terminated.
  return namespace_kind(t).spec_name.data();
}

}  // namespace sandbox::oci
