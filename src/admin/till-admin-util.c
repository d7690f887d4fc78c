/* till-admin-util.c: what the commands of opentill-admin share: finding and
 * opening the till's database, options, plain-text tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-admin"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-admin-util.h"

/* --- Plain-text tables ---------------------------------------------------------- */

/* Columns a terminal shows: Chinese characters take two. */
gsize
till_admin_display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_iszerowidth (c))
        width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

struct _TillAdminTable
{
  guint      n_columns;
  GPtrArray *rows;          /* GStrv of n_columns, the header first */
  guint64    right_aligned; /* a bit per column */
};

TillAdminTable *
till_admin_table_new (guint64 right_aligned, guint n_columns, const char *const *header)
{
  TillAdminTable *table = g_new0 (TillAdminTable, 1);

  table->n_columns = n_columns;
  table->right_aligned = right_aligned;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (table->rows, g_strdupv ((char **) header));
  return table;
}

void
till_admin_table_free (TillAdminTable *table)
{
  g_ptr_array_unref (table->rows);
  g_free (table);
}

/* Adds a row of n_columns cells; takes them (NULL: empty). */
void
till_admin_table_add (TillAdminTable *table, ...)
{
  char  **row = g_new0 (char *, table->n_columns + 1);
  va_list args;

  va_start (args, table);
  for (guint c = 0; c < table->n_columns; c++)
    {
      char *cell = va_arg (args, char *);

      row[c] = cell != NULL ? cell : g_strdup ("");
    }
  va_end (args);
  g_ptr_array_add (table->rows, row);
}

void
till_admin_table_add_row (TillAdminTable *table, char **cells)
{
  g_return_if_fail (g_strv_length (cells) == table->n_columns);
  g_ptr_array_add (table->rows, cells);
}

void
till_admin_table_print (TillAdminTable *table, const char *indent)
{
  g_autofree gsize *widths = g_new0 (gsize, table->n_columns);

  for (guint r = 0; r < table->rows->len; r++)
    for (guint c = 0; c < table->n_columns; c++)
      widths[c] = MAX (widths[c], till_admin_display_width (((char **) table->rows->pdata[r])[c]));
  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);
      g_autoptr (GString) line = g_string_new (indent);

      for (guint c = 0; c < table->n_columns; c++)
        {
          gsize    pad = widths[c] - till_admin_display_width (row[c]);
          gboolean right = (table->right_aligned >> c) & 1;

          if (c > 0)
            g_string_append (line, "  ");
          if (right)
            g_string_append_printf (line, "%*s", (int) pad, "");
          g_string_append (line, row[c]);
          if (!right && c + 1 < table->n_columns)
            g_string_append_printf (line, "%*s", (int) pad, "");
        }
      g_print ("%s\n", line->str);
    }
}

/* --- Opening the till ------------------------------------------------------------ */

/* The database the till uses: $OPENTILL_DB, else the user's data directory
 * (as the other commands find it). */
char *
till_admin_default_db_path (void)
{
  const char *from_env = g_getenv ("OPENTILL_DB");

  if (from_env != NULL && *from_env != '\0')
    return g_strdup (from_env);
  return g_build_filename (g_get_user_data_dir (), "opentill", "till.db", NULL);
}

/* The till's store at @db_path (NULL: the default), which must exist:
 * reading reports never makes an empty till. */
TillStore *
till_admin_open_store (const char *command, const char *db_path, int *out_status)
{
  g_autofree char *path = db_path != NULL ? g_strdup (db_path) : till_admin_default_db_path ();
  g_autoptr (GError) error = NULL;
  TillStore *store;

  *out_status = EXIT_FAILED;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_printerr (_ ("opentill-admin %1$s: there is no till database at %2$s\n"), command, path);
      return NULL;
    }
  store = till_store_open (path, &error);
  if (store == NULL)
    g_printerr ("opentill-admin %s: %s\n", command, error->message);
  return store;
}

/* Parses the options; FALSE with the exit status in @out_status (the reason
 * printed) when they or the number of arguments are wrong. */
gboolean
till_admin_parse_options (const char         *command,
                          const char         *parameters,
                          const char         *summary,
                          const GOptionEntry *entries,
                          int                *argc,
                          char             ***argv,
                          int                 max_args,
                          int                *out_status)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameters);
  g_autoptr (GError) error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  *out_status = EXIT_USAGE;
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("opentill-admin %s: %s\n", command, error->message);
      return FALSE;
    }
  if (*argc - 1 > max_args)
    {
      g_printerr (_ ("opentill-admin %1$s: unexpected argument “%2$s”\n"), command,
                  (*argv)[max_args + 1]);
      return FALSE;
    }
  return TRUE;
}
