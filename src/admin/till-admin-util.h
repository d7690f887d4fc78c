/* till-admin-util.h: what the commands of opentill-admin share: finding and
 * opening the till's database, options, plain-text tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "till-core.h"

G_BEGIN_DECLS

enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

/* The database the till uses: $OPENTILL_DB, else the user's data directory. */
char *till_admin_default_db_path (void) G_GNUC_WARN_UNUSED_RESULT;

/* The till's store at @db_path (NULL: the default), which must exist:
 * reading reports never makes an empty till. NULL with the reason printed
 * and *out_status set. */
TillStore *till_admin_open_store (const char *command, const char *db_path, int *out_status);

/* Parses the options; FALSE with the exit status in @out_status (the reason
 * printed) when they or the number of arguments (beyond @max_args) are wrong. */
gboolean till_admin_parse_options (const char         *command,
                                   const char         *parameters,
                                   const char         *summary,
                                   const GOptionEntry *entries,
                                   int                *argc,
                                   char             ***argv,
                                   int                 max_args,
                                   int                *out_status);

/* Columns a terminal shows: Chinese characters take two. */
gsize till_admin_display_width (const char *text);

/* A plain-text table whose columns line up whatever the script. */
typedef struct _TillAdminTable TillAdminTable;

/* @right_aligned: a bit per column; @header: n_columns cells. */
TillAdminTable      *
till_admin_table_new (guint64 right_aligned, guint n_columns, const char *const *header);
void till_admin_table_free (TillAdminTable *table);
/* Adds a row of n_columns cells; takes them (NULL: empty). */
void till_admin_table_add (TillAdminTable *table, ...);
/* Adds a row of n_columns cells as a NULL-terminated array; takes it. */
void till_admin_table_add_row (TillAdminTable *table, char **cells);
void till_admin_table_print (TillAdminTable *table, const char *indent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillAdminTable, till_admin_table_free)

G_END_DECLS
