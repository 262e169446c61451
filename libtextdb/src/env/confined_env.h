// Private to the engine: an Env that confines a database handle to its directory
// (format-spec/durability-process.md [T-021], [T-022]). It forwards to another Env and refuses,
// before forwarding, any operation on a path below the database directory that goes through a
// symbolic link: every directory between the database directory and the named entry must be a
// real directory, and so must the named entry itself for the operations that take a directory
// (ListDir, ListDirEntries, SyncDir, RemoveDir); Stat, which reads and changes nothing, is
// forwarded unchecked. The base Env already refuses a link as the last component of a
// file operation (O_NOFOLLOW), so together no read, write, rename or removal below the database
// directory is ever made through a link. Paths outside the database directory are forwarded
// unchecked.
//
// Limit: the check and the operation are two steps, so a link planted between them by a process
// racing the engine is not caught; links planted beforehand (by a checkout, an archive, a hand
// edit) are.
#ifndef TEXTDB_ENV_CONFINED_ENV_H_
#define TEXTDB_ENV_CONFINED_ENV_H_

#include <memory>
#include <string>

#include "textdb/env.h"

namespace textdb::internal {

// REQUIRES: `base` outlives the result; `root` is the database directory as the engine joins
// paths to it (root + "/" + relative path).
std::unique_ptr<Env> NewConfinedEnv(Env* base, std::string root);

}  // namespace textdb::internal

#endif  // TEXTDB_ENV_CONFINED_ENV_H_
