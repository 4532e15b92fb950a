#include "runtime/operations.hpp"

namespace sandbox::runtime {

state::StateRoot open_existing_root(const GlobalOptions& g) {
  // A root that does not exist yet holds no containers: every lookup then says
  // "does not exist", which is what engines match on.
  return state::StateRoot::open(g.root, state::StateRoot::Mode::MayBeMissing);
}

}  // namespace sandbox::runtime
