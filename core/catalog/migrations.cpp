#include "catalog/migrations.h"

namespace drover {

const QList<Migration> &catalogMigrations()
{
    static const QList<Migration> migrations = {
        { 1, QStringLiteral("machines, images, assignments, boot events, leases, settings"),
            {
                QStringLiteral("CREATE TABLE machine ("
                               " id {{ID}},"
                               " name TEXT NOT NULL UNIQUE,"
                               " mac TEXT NOT NULL UNIQUE,"
                               " uuid TEXT NOT NULL DEFAULT '',"
                               " serial TEXT NOT NULL DEFAULT '',"
                               " state TEXT NOT NULL DEFAULT 'unknown',"
                               " phase TEXT NOT NULL DEFAULT '',"
                               " address TEXT NOT NULL DEFAULT '',"
                               " last_seen BIGINT NOT NULL DEFAULT 0,"
                               " current_image TEXT NOT NULL DEFAULT '',"
                               " last_good_image TEXT NOT NULL DEFAULT '',"
                               " failed_attempts INTEGER NOT NULL DEFAULT 0,"
                               " created BIGINT NOT NULL DEFAULT 0,"
                               " revision BIGINT NOT NULL DEFAULT 1)"),
                QStringLiteral("CREATE TABLE machine_label ("
                               " machine_id BIGINT NOT NULL REFERENCES machine(id) ON DELETE CASCADE,"
                               " key TEXT NOT NULL, value TEXT NOT NULL,"
                               " PRIMARY KEY (machine_id, key))"),
                QStringLiteral("CREATE TABLE image ("
                               " id {{ID}},"
                               " name TEXT NOT NULL, version TEXT NOT NULL,"
                               " manifest_digest TEXT NOT NULL,"
                               " size BIGINT NOT NULL DEFAULT 0,"
                               " created BIGINT NOT NULL DEFAULT 0,"
                               " recipe TEXT NOT NULL DEFAULT '',"
                               " notes TEXT NOT NULL DEFAULT '',"
                               " UNIQUE (name, version))"),
                QStringLiteral("CREATE TABLE assignment ("
                               " id {{ID}},"
                               " target_kind TEXT NOT NULL, target TEXT NOT NULL,"
                               " image TEXT NOT NULL, who TEXT NOT NULL, at BIGINT NOT NULL,"
                               " why TEXT NOT NULL DEFAULT '')"),
                QStringLiteral("CREATE INDEX assignment_target ON assignment (target_kind, target, id)"),
                QStringLiteral("CREATE TABLE boot_event ("
                               " id {{ID}},"
                               " at BIGINT NOT NULL, machine TEXT NOT NULL DEFAULT '',"
                               " mac TEXT NOT NULL DEFAULT '', boot_id TEXT NOT NULL DEFAULT '',"
                               " phase TEXT NOT NULL, image TEXT NOT NULL DEFAULT '',"
                               " severity TEXT NOT NULL DEFAULT 'info',"
                               " detail TEXT NOT NULL DEFAULT '')"),
                QStringLiteral("CREATE INDEX boot_event_machine ON boot_event (machine, id)"),
                QStringLiteral("CREATE TABLE lease ("
                               " mac TEXT PRIMARY KEY, ip TEXT NOT NULL UNIQUE,"
                               " expires BIGINT NOT NULL)"),
                QStringLiteral("CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            } },
        { 2, QStringLiteral("vendor and 'new' mark for machines registered at boot"),
            {
                QStringLiteral("ALTER TABLE machine ADD COLUMN vendor TEXT NOT NULL DEFAULT ''"),
                QStringLiteral("ALTER TABLE machine ADD COLUMN is_new INTEGER NOT NULL DEFAULT 0"),
                QStringLiteral("CREATE INDEX machine_uuid ON machine (uuid)"),
            } },
        { 3, QStringLiteral("machine and group configuration"),
            {
                QStringLiteral("CREATE TABLE config ("
                               " target_kind TEXT NOT NULL, target TEXT NOT NULL,"
                               " body TEXT NOT NULL,"
                               " revision BIGINT NOT NULL DEFAULT 1,"
                               " updated_by TEXT NOT NULL DEFAULT '',"
                               " updated_at BIGINT NOT NULL DEFAULT 0,"
                               " PRIMARY KEY (target_kind, target))"),
            } },
        { 4, QStringLiteral("boot sessions and the addresses DHCP saw each MAC use"),
            {
                // Each boot the server issued, so reports are checked against what that boot
                // was given, also after a restart or by another Drover on this catalog.
                QStringLiteral("CREATE TABLE boot_session ("
                               " boot_id TEXT PRIMARY KEY, machine TEXT NOT NULL DEFAULT '',"
                               " mac TEXT NOT NULL, address TEXT NOT NULL DEFAULT '',"
                               " manifest TEXT NOT NULL DEFAULT '', image TEXT NOT NULL DEFAULT '',"
                               " issued BIGINT NOT NULL, deadline BIGINT NOT NULL,"
                               " used TEXT NOT NULL DEFAULT '')"),
                QStringLiteral("CREATE INDEX boot_session_mac ON boot_session (mac, issued)"),
                QStringLiteral("CREATE TABLE boot_binding ("
                               " mac TEXT PRIMARY KEY, address TEXT NOT NULL,"
                               " source TEXT NOT NULL DEFAULT '', seen BIGINT NOT NULL)"),
            } },
        { 5, QStringLiteral("firmware facts of each machine"),
            {
                QStringLiteral("ALTER TABLE machine ADD COLUMN firmware TEXT NOT NULL DEFAULT ''"),
                QStringLiteral("ALTER TABLE machine ADD COLUMN firmware_arch TEXT NOT NULL DEFAULT ''"),
                QStringLiteral("ALTER TABLE machine ADD COLUMN secure_boot TEXT NOT NULL DEFAULT ''"),
                QStringLiteral("ALTER TABLE machine ADD COLUMN boot_protocol TEXT NOT NULL DEFAULT ''"),
                QStringLiteral("ALTER TABLE machine ADD COLUMN boot_loader TEXT NOT NULL DEFAULT ''"),
            } },
        { 6, QStringLiteral("ISO images, bootable as targets"),
            {
                QStringLiteral("CREATE TABLE iso ("
                               " name TEXT PRIMARY KEY, digest TEXT NOT NULL,"
                               " size BIGINT NOT NULL DEFAULT 0, added BIGINT NOT NULL DEFAULT 0,"
                               " added_by TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '')"),
            } },
        { 7, QStringLiteral("hardware inventory of each machine, with its history"),
            {
                QStringLiteral("CREATE TABLE machine_inventory ("
                               " id {{ID}},"
                               " machine_id BIGINT NOT NULL REFERENCES machine(id) ON DELETE CASCADE,"
                               " boot_id TEXT NOT NULL DEFAULT '',"
                               " first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,"
                               " data TEXT NOT NULL, changes TEXT NOT NULL DEFAULT '')"),
                QStringLiteral("CREATE INDEX machine_inventory_machine ON machine_inventory (machine_id, id)"),
                QStringLiteral("ALTER TABLE machine ADD COLUMN hardware_changed BIGINT NOT NULL DEFAULT 0"),
            } },
        { 8, QStringLiteral("test-suite (burn-in) results of each machine"),
            {
                QStringLiteral("CREATE TABLE machine_test_run ("
                               " id {{ID}},"
                               " machine_id BIGINT NOT NULL REFERENCES machine(id) ON DELETE CASCADE,"
                               " boot_id TEXT NOT NULL DEFAULT '', at BIGINT NOT NULL,"
                               " suite TEXT NOT NULL DEFAULT '', passed INTEGER NOT NULL, data TEXT NOT NULL)"),
                QStringLiteral("CREATE INDEX machine_test_run_machine ON machine_test_run (machine_id, id)"),
                QStringLiteral("ALTER TABLE machine ADD COLUMN burnin_failed BIGINT NOT NULL DEFAULT 0"),
            } },
        { 9, QStringLiteral("boot events found by MAC"),
            {
                // A machine's events are asked for by name or MAC (its first DHCP steps carry
                // only the MAC): with an index on each, both sides of the OR are looked up
                // (SQLite's multi-index OR, PostgreSQL's bitmap OR) instead of every event
                // read; 150 ms → 0.3 ms at 1,000,000 events on SQLite. About a second to
                // build on such a table, once.
                QStringLiteral("CREATE INDEX boot_event_mac ON boot_event (mac, id)"),
            } },
    };
    return migrations;
}

} // namespace drover
