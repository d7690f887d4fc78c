/* till-pg-fixture.h: a private PostgreSQL server for the tests that need one
 *
 * initdb in a scratch directory, a server listening on a Unix socket there
 * (and on 127.0.0.1 at a free port), trust authentication for the role
 * "opentill". Run as root (as CI does), initdb and postgres run as the
 * "postgres" system user. Start it once per suite in main(), before Check
 * forks its tests; stop it at the end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TillPgServer TillPgServer;

TillPgServer *till_pg_server_start (GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Creates an empty database and returns its location for hq_db_open():
 * "pg:host=<socket dir> port=<port> dbname=<name> user=opentill". */
char *till_pg_server_create_database (TillPgServer *self,
                                      const char   *name,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
/* 127.0.0.1's port, for tools that want TCP. */
guint till_pg_server_get_port (TillPgServer *self);
/* Stops the server and removes its directory. */
void till_pg_server_stop (TillPgServer *self);

G_END_DECLS
