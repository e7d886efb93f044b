#pragma once
// Every PostgreSQL advisory lock key tributary takes, in one place (DESIGN §5). Keys must be
// distinct: two features sharing a key wait on each other (the migrator once shared the
// scheduler's key, so `tributary migrate` could never run while a scheduler was leader).
//
// Session-level bigint locks show in pg_locks as classid = high 32 bits, objid = low 32 bits,
// objsubid = 1 (kAdvisoryLockRow below). The two-int4 form used in SQL (tributary_ensure_model_index: key pair
// (hashtext('tributary_ensure_model_index'), model_id)) has objsubid = 2 and so can never meet
// these.
#include <cstdint>
#include <string_view>

namespace tributary::pg {

// Scheduler leadership, held for as long as a scheduler replica leads: the bytes of "tributar".
// Unchanged since the first release, so an old and a new scheduler never both lead during an
// upgrade.
inline constexpr std::int64_t kSchedulerLeaderLockKey = 0x7472696275746172;

// Applying migrations (`tributary migrate`), held only while migrations are being applied: the
// bytes of "trib-mig".
inline constexpr std::int64_t kMigrationLockKey = 0x747269622d6d6967;

static_assert(kSchedulerLeaderLockKey != kMigrationLockKey, "advisory lock keys must differ");

// A WHERE condition on pg_locks (alias l): the granted session-level bigint advisory lock whose
// key is the statement's parameter $1, in this database (advisory locks are per database: a
// session holding the same key in another one is no holder here).
inline constexpr std::string_view kAdvisoryLockRow =
    "l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND l.classid::bigint = ($1::bigint >> 32) AND l.objid::bigint = ($1::bigint & 4294967295)";

}  // namespace tributary::pg
