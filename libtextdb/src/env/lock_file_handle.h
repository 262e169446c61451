// Private to the Envs: the LockFileHandle made of Env::LockFile calls, which the default
// Env::OpenLockFile returns and MemEnv returns with its shared counter.
#ifndef TEXTDB_ENV_LOCK_FILE_HANDLE_H_
#define TEXTDB_ENV_LOCK_FILE_HANDLE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "textdb/env.h"

namespace textdb::internal {

// A LockFileHandle whose Lock is one env->LockFile call and whose Unlock destroys that lock;
// its SharedCounter is `counter` (null for none). REQUIRES: `env` and `counter` outlive it.
std::unique_ptr<LockFileHandle> NewLockFileHandleOverLockFile(Env* env, std::string path,
                                                              std::uint64_t* counter);

}  // namespace textdb::internal

#endif  // TEXTDB_ENV_LOCK_FILE_HANDLE_H_
