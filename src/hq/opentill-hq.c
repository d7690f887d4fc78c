/* opentill-hq.c: the command line of HQ: set it up, serve the tills, manage
 * stores and enrollment, import master data and promotions, report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-hq"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hq-ca.h"
#include "hq-server.h"
#include "hq-store.h"

/* Every failure, a mistyped command included, exits 1 with one line on
 * stderr: scripts and systemd see a plain failure. */
enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
};

#define DEFAULT_CONFIG "/etc/opentill/hq.conf"
#define DEFAULT_DATA_DIR "/var/lib/opentill-hq"
#define DEFAULT_LISTEN "0.0.0.0"
#define DEFAULT_PORT 8443
/* The names init was given, kept beside the CA so that every later command
 * opens the CA with the same server certificate names. */
#define NAMES_FILE "server-names"

typedef struct
{
  const char *name;
  const char *summary; /* translated when shown */
  int (*run) (int argc, char **argv);
} HqCommand;

/* The options every command takes, and what they resolve to. */
typedef struct
{
  char  *config_path;
  char  *db;
  char  *data_dir;
  char  *listen;
  guint  port;
  char **names; /* NULL: the CA's defaults */
} HqSettings;

static void
hq_settings_clear (HqSettings *settings)
{
  g_clear_pointer (&settings->config_path, g_free);
  g_clear_pointer (&settings->db, g_free);
  g_clear_pointer (&settings->data_dir, g_free);
  g_clear_pointer (&settings->listen, g_free);
  g_clear_pointer (&settings->names, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HqSettings, hq_settings_clear)

static int run_init (int argc, char **argv);
static int run_serve (int argc, char **argv);
static int run_store (int argc, char **argv);
static int run_group (int argc, char **argv);
static int run_enroll (int argc, char **argv);
static int run_import (int argc, char **argv);
static int run_report (int argc, char **argv);
static int run_incidents (int argc, char **argv);
static int run_tills (int argc, char **argv);
static int run_purge_tombstones (int argc, char **argv);
static int run_promotion (int argc, char **argv);
static int run_z (int argc, char **argv);

static const HqCommand commands[] = {
  { "init", N_ ("Create the data directory, the CA and the database"), run_init },
  { "serve", N_ ("Serve the tills over HTTPS until stopped"), run_serve },
  { "store", N_ ("Add or rename a store (store add --id S001 --name NAME [--group G1])"),
    run_store },
  { "group", N_ ("Add or rename a group of stores (group add --id G1 --name NAME)"), run_group },
  { "enroll", N_ ("Make a one-time token that enrolls a till (--store S001 --till 1)"),
    run_enroll },
  { "import", N_ ("Import master data from a JSON file, all or nothing"), run_import },
  { "promotion",
    N_ ("List, set or remove promotions (promotion list|set FILE|remove CODE [--scope S])"),
    run_promotion },
  { "report", N_ ("Sales per store and day, or per product (report days|products)"), run_report },
  { "z", N_ ("List the tills' Z reports and whether each follows on (z list [--till T])"), run_z },
  { "incidents", N_ ("List conflicts, rejected items and other incidents, newest first"),
    run_incidents },
  { "tills", N_ ("List the enrolled tills and how far each has synced"), run_tills },
  { "purge-tombstones", N_ ("Drop deletions older than --days (tills behind then reload)"),
    run_purge_tombstones },
};

static char *option_config;
static char *option_db;
static char *option_data;

static const GOptionEntry common_entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &option_config,
    N_ ("The configuration file (default: " DEFAULT_CONFIG " when it exists)"), N_ ("FILE") },
  { "db", 0, 0, G_OPTION_ARG_STRING, &option_db,
    N_ ("The database: an SQLite file or a postgresql:// URI (default: DATA/hq.db)"),
    N_ ("LOCATION") },
  { "data", 0, 0, G_OPTION_ARG_FILENAME, &option_data,
    N_ ("The data directory, which holds the CA (default: " DEFAULT_DATA_DIR ")"), N_ ("DIR") },
  { NULL },
};

static const char *command_name;

static void
print_error (const char *message)
{
  g_printerr ("opentill-hq %s: %s\n", command_name, message);
}

static int
fail_with (const GError *error)
{
  print_error (error->message);
  return EXIT_FAILED;
}

/* Names are written "a, b" or "a;b" or "a b" in the config file, one a
 * line in the names file. */
static char **
split_names (const char *text)
{
  g_auto (GStrv) parts = g_strsplit_set (text, ",; \t\r\n", -1);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (names, g_strdup (parts[i]));
  if (names->len == 0)
    return NULL;
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static char *
names_file_path (const HqSettings *settings)
{
  return g_build_filename (settings->data_dir, NAMES_FILE, NULL);
}

/* Fills @settings from the command line, the config file and the defaults,
 * in that order of precedence. */
static gboolean
resolve_settings (HqSettings *settings, GError **error)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  const char *config_path = option_config;
  gboolean    have_config = FALSE;

  if (config_path == NULL && g_getenv ("OPENTILL_HQ_CONFIG") != NULL)
    config_path = g_getenv ("OPENTILL_HQ_CONFIG");
  if (config_path != NULL)
    {
      if (!g_key_file_load_from_file (key_file, config_path, G_KEY_FILE_NONE, error))
        {
          g_prefix_error (error, _ ("Cannot read the configuration %s: "), config_path);
          return FALSE;
        }
      have_config = TRUE;
    }
  else if (g_file_test (DEFAULT_CONFIG, G_FILE_TEST_EXISTS))
    {
      config_path = DEFAULT_CONFIG;
      if (!g_key_file_load_from_file (key_file, config_path, G_KEY_FILE_NONE, error))
        {
          g_prefix_error (error, _ ("Cannot read the configuration %s: "), config_path);
          return FALSE;
        }
      have_config = TRUE;
    }
  settings->config_path = g_strdup (config_path);

  if (have_config && g_key_file_has_key (key_file, "hq", "port", NULL))
    {
      g_autofree char *text = g_key_file_get_string (key_file, "hq", "port", NULL);
      guint64          port = 0;

      if (text == NULL ||
          !g_ascii_string_to_unsigned (g_strstrip (text), 10, 1, G_MAXUINT16, &port, NULL))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _ ("%s: port must be a number from 1 to 65535"), config_path);
          return FALSE;
        }
      settings->port = (guint) port;
    }
  else
    settings->port = DEFAULT_PORT;

  settings->data_dir = g_strdup (option_data);
  if (settings->data_dir == NULL && have_config)
    settings->data_dir = g_key_file_get_string (key_file, "hq", "data-dir", NULL);
  if (settings->data_dir == NULL)
    settings->data_dir = g_strdup (DEFAULT_DATA_DIR);

  settings->db = g_strdup (option_db);
  if (settings->db == NULL && have_config)
    settings->db = g_key_file_get_string (key_file, "hq", "database", NULL);
  if (settings->db == NULL)
    settings->db = g_build_filename (settings->data_dir, "hq.db", NULL);

  if (have_config)
    settings->listen = g_key_file_get_string (key_file, "hq", "listen", NULL);
  if (settings->listen == NULL)
    settings->listen = g_strdup (DEFAULT_LISTEN);

  if (have_config)
    {
      g_autofree char *names = g_key_file_get_string (key_file, "hq", "names", NULL);

      if (names != NULL)
        settings->names = split_names (names);
    }
  if (settings->names == NULL)
    {
      g_autofree char *path = names_file_path (settings);
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL))
        settings->names = split_names (text);
    }
  return TRUE;
}

/* Parses a command's options (its own plus the common ones); FALSE after
 * printing why. @n_positional is how many arguments must follow, -1 for
 * any number. */
static gboolean
parse_command (int                *argc,
               char             ***argv,
               const GOptionEntry *entries,
               const char         *parameter_string,
               const char         *summary,
               int                 n_positional,
               HqSettings         *settings)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameter_string);
  g_autoptr (GError) error = NULL;

  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      print_error (error->message);
      return FALSE;
    }
  if (n_positional >= 0 && *argc - 1 != n_positional)
    {
      if (*argc - 1 > n_positional)
        {
          g_autofree char *message =
              g_strdup_printf (_ ("unexpected argument “%s”"), (*argv)[n_positional + 1]);

          print_error (message);
        }
      else
        print_error (_ ("missing argument; see --help"));
      return FALSE;
    }
  if (!resolve_settings (settings, &error))
    {
      print_error (error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
require_option (const char *value, const char *option)
{
  if (value != NULL && *value != '\0')
    return TRUE;
  {
    g_autofree char *message = g_strdup_printf (_ ("%s is required"), option);

    print_error (message);
  }
  return FALSE;
}

static gboolean
ensure_directory (const char *dir, GError **error)
{
  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;
  {
    int saved_errno = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 _ ("Cannot create the directory %s: %s"), dir, g_strerror (saved_errno));
  }
  return FALSE;
}

static gboolean
is_postgres (const char *location)
{
  return g_str_has_prefix (location, "postgresql://") ||
         g_str_has_prefix (location, "postgres://") || g_str_has_prefix (location, "pg:");
}

static HqStore *
open_store (const HqSettings *settings, GError **error)
{
  if (!is_postgres (settings->db))
    {
      g_autofree char *parent = g_path_get_dirname (settings->db);

      if (!ensure_directory (parent, error))
        return NULL;
    }
  return hq_store_open (settings->db, error);
}

static HqCa *
open_ca (const HqSettings *settings, GError **error)
{
  g_autofree char *dir = g_build_filename (settings->data_dir, "ca", NULL);

  return hq_ca_open (dir, (const char *const *) settings->names, error);
}

/* --- Tables ------------------------------------------------------------------ */

/* Columns a terminal shows: Chinese characters take two. */
static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

typedef struct
{
  guint      n_columns;
  GPtrArray *rows;          /* char ** of n_columns, the header first */
  guint64    right_aligned; /* bit per column */
} Table;

static Table *
table_new (guint64 right_aligned, const char *first_header, ...)
{
  Table     *table = g_new0 (Table, 1);
  GPtrArray *header = g_ptr_array_new ();
  va_list    args;

  va_start (args, first_header);
  for (const char *h = first_header; h != NULL; h = va_arg (args, const char *))
    g_ptr_array_add (header, g_strdup (h));
  va_end (args);
  table->n_columns = header->len;
  g_ptr_array_add (header, NULL);
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (table->rows, g_ptr_array_free (header, FALSE));
  table->right_aligned = right_aligned;
  return table;
}

static void
table_free (Table *table)
{
  g_ptr_array_unref (table->rows);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

/* Adds a row; takes the strings. */
static void
table_add (Table *table, ...)
{
  char  **row = g_new0 (char *, table->n_columns + 1);
  va_list args;

  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    {
      char *cell = va_arg (args, char *);

      row[i] = cell != NULL ? cell : g_strdup ("");
    }
  va_end (args);
  g_ptr_array_add (table->rows, row);
}

static void
table_print (Table *table)
{
  g_autofree gsize *widths = g_new0 (gsize, table->n_columns);

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], display_width (row[c]));
    }
  for (guint r = 0; r < table->rows->len; r++)
    {
      char   **row = g_ptr_array_index (table->rows, r);
      GString *line = g_string_new (NULL);

      for (guint c = 0; c < table->n_columns; c++)
        {
          gsize    pad = widths[c] - display_width (row[c]);
          gboolean right = (table->right_aligned >> c) & 1;
          gboolean last = c + 1 == table->n_columns;

          if (c > 0)
            g_string_append (line, "  ");
          if (right)
            for (gsize i = 0; i < pad; i++)
              g_string_append_c (line, ' ');
          g_string_append (line, row[c]);
          if (!right && !last)
            for (gsize i = 0; i < pad; i++)
              g_string_append_c (line, ' ');
        }
      g_print ("%s\n", line->str);
      g_string_free (line, TRUE);
    }
}

/* ¥12.34, -¥0.50: fen shown as yuan, without a double on the way. */
static char *
format_yuan (gint64 fen)
{
  guint64 magnitude = fen < 0 ? (guint64) 0 - (guint64) fen : (guint64) fen;

  return g_strdup_printf ("%s¥%" G_GUINT64_FORMAT ".%02u", fen < 0 ? "-" : "", magnitude / 100,
                          (guint) (magnitude % 100));
}

/* Thousandths as a decimal: 1.500, -2.000. */
static char *
format_quantity (gint64 thousandths)
{
  guint64 magnitude = thousandths < 0 ? (guint64) 0 - (guint64) thousandths : (guint64) thousandths;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%03u", thousandths < 0 ? "-" : "",
                          magnitude / 1000, (guint) (magnitude % 1000));
}

static char *
format_time_us (gint64 us)
{
  g_autoptr (GDateTime) time = NULL;

  if (us <= 0)
    return g_strdup ("-");
  time = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("-");
}

static char *
format_int (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static char *
dup_text (HqDbRows *rows, guint row, guint column)
{
  return g_strdup (hq_db_rows_get_text (rows, row, column));
}

/* --- Commands ------------------------------------------------------------------ */

static int
run_init (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_auto (GStrv) names = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HqCa) ca = NULL;
  g_autoptr (HqStore) store = NULL;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING_ARRAY, &names,
      N_ ("A DNS name or IP address tills reach HQ by (repeat for several; default: localhost "
          "and 127.0.0.1)"),
      N_ ("HOST") },
    { NULL },
  };

  if (!parse_command (&argc, &argv, entries, NULL,
                      _ ("Creates the data directory with HQ's certificate authority, server "
                         "certificate and ack key, and the database. Running it again keeps the "
                         "CA and remakes the server certificate when the names change."),
                      0, &settings))
    return EXIT_FAILED;

  if (!ensure_directory (settings.data_dir, &error))
    return fail_with (error);
  if (names != NULL && names[0] != NULL)
    {
      g_autofree char *path = names_file_path (&settings);
      g_autofree char *text = g_strjoinv ("\n", names);
      g_autofree char *contents = g_strconcat (text, "\n", NULL);

      if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                     &error))
        return fail_with (error);
      g_strfreev (settings.names);
      settings.names = g_strdupv (names);
    }

  ca = open_ca (&settings, &error);
  if (ca == NULL)
    return fail_with (error);
  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);

  g_print (_ ("HQ is set up in %s\n"), settings.data_dir);
  g_print (_ ("  database:  %s\n"), settings.db);
  g_print (_ ("  CA pin:    %s\n"), hq_ca_get_pin (ca));
  if (settings.names != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", settings.names);

      g_print (_ ("  names:     %s\n"), joined);
    }
  g_print (_ ("Next: opentill-hq store add, then opentill-hq serve\n"));
  return EXIT_OK;
}

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static int
run_serve (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *listen = NULL;
  g_autofree char *port_text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqCa) ca = NULL;
  g_autoptr (HqServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  guint              term_source;
  guint              int_source;
  const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      N_ ("The IP address to listen on (default: 0.0.0.0, all)"), N_ ("ADDR") },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port_text,
      N_ ("The TCP port (default: 8443; 0 for any free one)"), N_ ("N") },
    { NULL },
  };

  if (!parse_command (&argc, &argv, entries, NULL,
                      _ ("Serves the tills over HTTPS (enrollment, push, pull) until SIGTERM or "
                         "SIGINT."),
                      0, &settings))
    return EXIT_FAILED;
  if (listen != NULL)
    {
      g_free (settings.listen);
      settings.listen = g_steal_pointer (&listen);
    }
  if (port_text != NULL)
    {
      guint64 port = 0;

      if (!g_ascii_string_to_unsigned (port_text, 10, 0, G_MAXUINT16, &port, &error))
        {
          g_prefix_error (&error, "--port: ");
          return fail_with (error);
        }
      settings.port = (guint) port;
    }

  ca = open_ca (&settings, &error);
  if (ca == NULL)
    return fail_with (error);
  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  server = hq_server_new (store, ca);
  if (hq_server_listen (server, settings.listen, settings.port, &error) == 0)
    return fail_with (error);

  loop = g_main_loop_new (NULL, FALSE);
  term_source = g_unix_signal_add (SIGTERM, quit_cb, loop);
  int_source = g_unix_signal_add (SIGINT, quit_cb, loop);
  /* Tests and service scripts wait for this line: it comes once the socket
   * accepts connections. */
  g_print (_ ("listening on %s\n"), hq_server_get_url (server));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (term_source);
  g_source_remove (int_source);
  hq_server_disconnect (server);
  g_print (_ ("stopped\n"));
  fflush (stdout);
  return EXIT_OK;
}

/* "store add …" and "group add …": the verb comes first. */
static gboolean
take_verb (int *argc, char ***argv, const char *verb)
{
  if (*argc >= 2 && g_str_equal ((*argv)[1], verb))
    {
      /* Drop the verb so that option parsing sees only options. */
      for (int i = 1; i < *argc - 1; i++)
        (*argv)[i] = (*argv)[i + 1];
      (*argc)--;
      return TRUE;
    }
  if (*argc >= 2 && (g_str_equal ((*argv)[1], "--help") || g_str_equal ((*argv)[1], "-h")))
    return TRUE;
  {
    g_autofree char *message = g_strdup_printf (_ ("expected “%s” first, e.g. opentill-hq %s %s "
                                                   "--help"),
                                                verb, command_name, verb);

    print_error (message);
  }
  return FALSE;
}

static int
run_store (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *group = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  const GOptionEntry entries[] = {
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_ ("The store's code, e.g. S001"), N_ ("ID") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_ ("The store's name"), N_ ("NAME") },
    { "group", 0, 0, G_OPTION_ARG_STRING, &group, N_ ("The group it belongs to"), N_ ("GROUP") },
    { NULL },
  };

  if (!take_verb (&argc, &argv, "add") ||
      !parse_command (&argc, &argv, entries, NULL,
                      _ ("Adds a store, or renames it and moves it to another group."), 0,
                      &settings) ||
      !require_option (id, "--id") || !require_option (name, "--name"))
    return EXIT_FAILED;

  store = open_store (&settings, &error);
  if (store == NULL || !hq_store_put_store (store, id, name, group, &error))
    return fail_with (error);
  g_print (_ ("Store %s: %s\n"), id, name);
  return EXIT_OK;
}

static int
run_group (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  const GOptionEntry entries[] = {
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_ ("The group's code, e.g. G1"), N_ ("ID") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_ ("The group's name"), N_ ("NAME") },
    { NULL },
  };

  if (!take_verb (&argc, &argv, "add") ||
      !parse_command (&argc, &argv, entries, NULL,
                      _ ("Adds a group of stores (prices and promotions can be set per group), "
                         "or renames it."),
                      0, &settings) ||
      !require_option (id, "--id") || !require_option (name, "--name"))
    return EXIT_FAILED;

  store = open_store (&settings, &error);
  if (store == NULL || !hq_store_put_group (store, id, name, &error))
    return fail_with (error);
  g_print (_ ("Group %s: %s\n"), id, name);
  return EXIT_OK;
}

static int
run_enroll (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *store_id = NULL;
  g_autofree char *till_text = NULL;
  g_autofree char *hours_text = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *url = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqCa) ca = NULL;
  guint64            till_no = 0;
  guint64            hours = 24;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_STRING, &store_id, N_ ("The store the till is in"), N_ ("ID") },
    { "till", 0, 0, G_OPTION_ARG_STRING, &till_text, N_ ("The till's number in the store (1–99)"),
      N_ ("N") },
    { "valid-hours", 0, 0, G_OPTION_ARG_STRING, &hours_text,
      N_ ("How long the token can be used (default: 24)"), N_ ("HOURS") },
    { NULL },
  };

  if (!parse_command (&argc, &argv, entries, NULL,
                      _ ("Makes a one-time enrollment token for a till and prints it. Type it on "
                         "the till with opentill-admin enroll URL TOKEN."),
                      0, &settings) ||
      !require_option (store_id, "--store") || !require_option (till_text, "--till"))
    return EXIT_FAILED;
  if (!g_ascii_string_to_unsigned (till_text, 10, 1, 99, &till_no, &error))
    {
      g_prefix_error (&error, "--till: ");
      return fail_with (error);
    }
  if (hours_text != NULL &&
      !g_ascii_string_to_unsigned (hours_text, 10, 1, 24 * 365, &hours, &error))
    {
      g_prefix_error (&error, "--valid-hours: ");
      return fail_with (error);
    }

  ca = open_ca (&settings, &error);
  if (ca == NULL)
    return fail_with (error);
  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  secret = hq_store_create_enroll_token (store, store_id, (guint) till_no,
                                         (gint64) hours * 60 * 60 * G_USEC_PER_SEC, &error);
  if (secret == NULL)
    return fail_with (error);

  /* The hint names what the server certificate names: without --name that is
   * localhost only (HQ tried out on one machine). */
  url = g_strdup_printf ("https://%s:%u", settings.names != NULL ? settings.names[0] : "localhost",
                         settings.port);
  g_print ("%s.%s\n", secret, hq_ca_get_pin (ca));
  g_print (_ ("On till %u of store %s, within %u hours: opentill-admin enroll %s %s.%s\n"),
           (guint) till_no, store_id, (guint) hours, url, secret, hq_ca_get_pin (ca));
  return EXIT_OK;
}

static int
run_import (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  guint n_rows = 0;

  if (!parse_command (&argc, &argv, NULL, _ ("FILE"),
                      _ ("Imports groups, stores and master data (categories, items, prices, "
                         "users, settings, promotions, members) from a JSON file in one "
                         "transaction: all of it or nothing."),
                      1, &settings))
    return EXIT_FAILED;

  store = open_store (&settings, &error);
  if (store == NULL || !hq_store_import_file (store, argv[1], &n_rows, &error))
    return fail_with (error);
  g_print (_ ("Imported %u rows from %s\n"), n_rows, argv[1]);
  return EXIT_OK;
}

static gboolean
check_day (const char *day, const char *option)
{
  g_autofree char *iso = NULL;
  g_autoptr (GDateTime) parsed = NULL;

  if (day == NULL)
    return TRUE;
  iso = g_strconcat (day, "T00:00:00Z", NULL);
  parsed = g_date_time_new_from_iso8601 (iso, NULL);
  if (parsed != NULL && strlen (day) == 10)
    return TRUE;
  {
    g_autofree char *message =
        g_strdup_printf (_ ("%s: “%s” is not a day like 2024-03-01"), option, day);

    print_error (message);
  }
  return FALSE;
}

static int
run_report (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *store_id = NULL;
  g_autofree char *from_day = NULL;
  g_autofree char *to_day = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  g_autoptr (Table) table = NULL;
  const char        *kind;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_STRING, &store_id, N_ ("Only this store"), N_ ("ID") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_day, N_ ("From this business day (YYYY-MM-DD)"),
      N_ ("DAY") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_day, N_ ("To this business day, inclusive"),
      N_ ("DAY") },
    { NULL },
  };

  if (!parse_command (&argc, &argv, entries, "days|products",
                      _ ("Reports sales from what the tills pushed: per store and business day "
                         "(days), or per store, day and product (products)."),
                      1, &settings) ||
      !check_day (from_day, "--from") || !check_day (to_day, "--to"))
    return EXIT_FAILED;
  kind = argv[1];
  if (!g_str_equal (kind, "days") && !g_str_equal (kind, "products"))
    {
      g_autofree char *message =
          g_strdup_printf (_ ("unknown report “%s”: days or products"), kind);

      print_error (message);
      return EXIT_FAILED;
    }

  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  if (g_str_equal (kind, "days"))
    {
      rows = hq_store_report_days (store, store_id, from_day, to_day, &error);
      if (rows == NULL)
        return fail_with (error);
      table =
          table_new (0x1c, _ ("Store"), _ ("Day"), _ ("Receipts"), _ ("Returns"), _ ("Net"), NULL);
      for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
        table_add (table, dup_text (rows, r, 0), dup_text (rows, r, 1),
                   format_int (hq_db_rows_get_int (rows, r, 2)),
                   format_int (hq_db_rows_get_int (rows, r, 3)),
                   format_yuan (hq_db_rows_get_int (rows, r, 4)));
    }
  else
    {
      rows = hq_store_report_products (store, store_id, from_day, to_day, &error);
      if (rows == NULL)
        return fail_with (error);
      table = table_new (0x30, _ ("Store"), _ ("Day"), _ ("SKU"), _ ("Product"), _ ("Quantity"),
                         _ ("Amount"), NULL);
      for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
        table_add (table, dup_text (rows, r, 0), dup_text (rows, r, 1), dup_text (rows, r, 2),
                   dup_text (rows, r, 3), format_quantity (hq_db_rows_get_int (rows, r, 4)),
                   format_yuan (hq_db_rows_get_int (rows, r, 5)));
    }
  table_print (table);
  if (hq_db_rows_get_n_rows (rows) == 0)
    g_print (_ ("(no sales)\n"));
  return EXIT_OK;
}

static int
run_incidents (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *limit_text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  g_autoptr (Table) table = NULL;
  guint64            limit = 50;
  const GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_STRING, &limit_text, N_ ("How many to show (default: 50)"),
      N_ ("N") },
    { NULL },
  };

  if (!parse_command (&argc, &argv, entries, NULL,
                      _ ("Lists incidents: conflicting or rejected items, clock skew, journal "
                         "heads that went backwards."),
                      0, &settings))
    return EXIT_FAILED;
  if (limit_text != NULL &&
      !g_ascii_string_to_unsigned (limit_text, 10, 1, G_MAXUINT, &limit, &error))
    {
      g_prefix_error (&error, "--limit: ");
      return fail_with (error);
    }

  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  rows = hq_store_list_incidents (store, (guint) limit, &error);
  if (rows == NULL)
    return fail_with (error);
  table = table_new (0x1, _ ("ID"), _ ("Time"), _ ("Till"), _ ("Kind"), _ ("Detail"), NULL);
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    table_add (table, format_int (hq_db_rows_get_int (rows, r, 0)),
               format_time_us (hq_db_rows_get_int (rows, r, 1)), dup_text (rows, r, 2),
               dup_text (rows, r, 3), dup_text (rows, r, 4));
  table_print (table);
  if (hq_db_rows_get_n_rows (rows) == 0)
    g_print (_ ("(no incidents)\n"));
  return EXIT_OK;
}

static int
run_tills (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  g_autoptr (Table) table = NULL;

  if (!parse_command (&argc, &argv, NULL, NULL,
                      _ ("Lists the enrolled tills: epoch, how far HQ holds their sales, when "
                         "they were last seen and how far their clock is off."),
                      0, &settings))
    return EXIT_FAILED;

  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  rows = hq_store_list_tills (store, &error);
  if (rows == NULL)
    return fail_with (error);
  table = table_new (0x2c, _ ("Till"), _ ("Store"), _ ("Epoch"), _ ("Acked"), _ ("Last seen"),
                     _ ("Clock skew (s)"), NULL);
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    table_add (table, dup_text (rows, r, 0), dup_text (rows, r, 1),
               format_int (hq_db_rows_get_int (rows, r, 2)),
               format_int (hq_db_rows_get_int (rows, r, 3)),
               format_time_us (hq_db_rows_get_int (rows, r, 4)),
               format_int (hq_db_rows_get_int (rows, r, 5) / G_USEC_PER_SEC));
  table_print (table);
  if (hq_db_rows_get_n_rows (rows) == 0)
    g_print (_ ("(no tills enrolled)\n"));
  return EXIT_OK;
}

static int
run_purge_tombstones (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *days_text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  guint64            days = 30;
  gint64             purged;
  const GOptionEntry entries[] = {
    { "days", 0, 0, G_OPTION_ARG_STRING, &days_text,
      N_ ("Drop deletions older than this many days (default: 30)"), N_ ("DAYS") },
    { NULL },
  };

  if (!parse_command (&argc, &argv, entries, NULL,
                      _ ("Drops deletion records older than --days. A till that has not pulled "
                         "since then reloads the whole channel."),
                      0, &settings))
    return EXIT_FAILED;
  if (days_text != NULL && !g_ascii_string_to_unsigned (days_text, 10, 0, 36500, &days, &error))
    {
      g_prefix_error (&error, "--days: ");
      return fail_with (error);
    }

  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  purged = hq_store_purge_tombstones (
      store, g_get_real_time () - (gint64) days * 24 * 60 * 60 * G_USEC_PER_SEC, &error);
  if (purged < 0)
    return fail_with (error);
  g_print (_ ("Purged %" PRId64 " tombstones older than %u days\n"), purged, (guint) days);
  return EXIT_OK;
}

/* "promotion list|set|remove": the verb comes first, as with "store add". */
static const char *
take_any_verb (int *argc, char ***argv, const char *const *verbs)
{
  const char *verb = *argc >= 2 ? (*argv)[1] : NULL;

  if (verb != NULL && g_strv_contains (verbs, verb))
    {
      for (int i = 1; i < *argc - 1; i++)
        (*argv)[i] = (*argv)[i + 1];
      (*argc)--;
      return verb;
    }
  {
    g_autofree char *choices = g_strjoinv ("|", (char **) verbs);
    g_autofree char *message =
        g_strdup_printf (_ ("expected %s first, e.g. opentill-hq %s list"), choices, command_name);

    print_error (message);
  }
  return NULL;
}

/* The --scope option of the promotion verbs. */
static void
init_scope_entries (GOptionEntry entries[2], char **scope, const char *description)
{
  memset (entries, 0, 2 * sizeof *entries);
  entries[0].long_name = "scope";
  entries[0].short_name = 's';
  entries[0].arg = G_OPTION_ARG_STRING;
  entries[0].arg_data = scope;
  entries[0].description = description;
  entries[0].arg_description = N_ ("SCOPE");
}

static gboolean
check_scope_option (const char *scope)
{
  if (scope == NULL || *scope != '\0')
    return TRUE;
  print_error (_ ("--scope: expected all, group:<id> or store:<id>"));
  return FALSE;
}

static const char *
promotion_text (JsonObject *promotion, const char *member)
{
  JsonNode *node = json_object_get_member (promotion, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

static gint64
promotion_int (JsonObject *promotion, const char *member)
{
  JsonNode *node = json_object_get_member (promotion, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (node);
}

static int
run_promotion_list (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *scope = NULL;
  GOptionEntry     entries[2];
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  g_autoptr (Table) table = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  init_scope_entries (entries, &scope,
                      N_ ("Only the promotions of this scope: all, group:G1 or store:S001"));
  if (!parse_command (&argc, &argv, entries, NULL,
                      _ ("Lists the promotions HQ sends to the tills, with their scope, kind "
                         "and dates."),
                      0, &settings) ||
      !check_scope_option (scope))
    return EXIT_FAILED;

  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  rows = hq_store_list_rows (store, "promotions", scope, &error);
  if (rows == NULL)
    return fail_with (error);
  table = table_new (0x40, _ ("Code"), _ ("Scope"), _ ("Kind"), _ ("Name"), _ ("From"), _ ("Until"),
                     _ ("Version"), NULL);
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    {
      JsonObject *promotion = NULL;

      /* HQ stored it after its checks: it is an object. */
      if (json_parser_load_from_data (parser, hq_db_rows_get_text (rows, r, 3), -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        promotion = json_node_get_object (json_parser_get_root (parser));
      table_add (
          table, dup_text (rows, r, 0), dup_text (rows, r, 1),
          g_strdup (promotion != NULL ? promotion_text (promotion, "kind") : "?"),
          g_strdup (promotion != NULL ? promotion_text (promotion, "name") : "?"),
          format_time_us (promotion != NULL ? promotion_int (promotion, "valid_from_us") : 0),
          format_time_us (promotion != NULL ? promotion_int (promotion, "valid_until_us") : 0),
          format_int (hq_db_rows_get_int (rows, r, 2)));
    }
  table_print (table);
  if (hq_db_rows_get_n_rows (rows) == 0)
    g_print (_ ("(no promotions)\n"));
  return EXIT_OK;
}

static int
run_promotion_set (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *scope = NULL;
  GOptionEntry     entries[2];
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  guint n_set = 0;

  init_scope_entries (entries, &scope,
                      N_ ("Where they apply: all (the default), group:G1 or store:S001"));
  if (!parse_command (&argc, &argv, entries, _ ("FILE"),
                      _ ("Sets promotions from FILE: one promotion as a JSON object in the till's "
                         "format, or a list of them. Each replaces the promotion with its code "
                         "in the scope (default: all stores). All of them or none."),
                      1, &settings) ||
      !check_scope_option (scope))
    return EXIT_FAILED;

  if (!json_parser_load_from_mapped_file (parser, argv[1], &error))
    {
      g_autofree char *message =
          g_strdup_printf (_ ("Cannot read %s: %s"), argv[1], error->message);

      print_error (message);
      return EXIT_FAILED;
    }
  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  if (json_parser_get_root (parser) == NULL ||
      !hq_store_set_promotions (store, json_parser_get_root (parser), scope, &n_set, &error))
    {
      g_autofree char *message = g_strdup_printf (
          "%s: %s", argv[1], error != NULL ? error->message : _ ("the file is empty"));

      print_error (message);
      return EXIT_FAILED;
    }
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Set %u promotion from %s; tills get it at their next "
                        "sync\n",
                        "Set %u promotions from %s; tills get them at their next sync\n", n_set),
           n_set, argv[1]);
  return EXIT_OK;
}

static int
run_promotion_remove (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *scope = NULL;
  GOptionEntry     entries[2];
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_auto (GStrv) removed = NULL;

  init_scope_entries (entries, &scope,
                      N_ ("Only from this scope (default: every scope it is set in)"));
  if (!parse_command (&argc, &argv, entries, _ ("CODE"),
                      _ ("Removes a promotion from the scope given, or from every scope it is "
                         "set in; tills drop it at their next sync."),
                      1, &settings) ||
      !check_scope_option (scope))
    return EXIT_FAILED;

  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  removed = hq_store_remove_promotion (store, argv[1], scope, &error);
  if (removed == NULL)
    return fail_with (error);
  for (guint i = 0; removed[i] != NULL; i++)
    g_print (_ ("Removed promotion %s from %s; tills drop it at their next sync\n"), argv[1],
             removed[i]);
  return EXIT_OK;
}

static int
run_promotion (int argc, char **argv)
{
  static const char *const verbs[] = { "list", "set", "remove", NULL };
  g_autofree char         *program = NULL;
  const char              *verb;

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s\n", _ ("Usage: opentill-hq promotion list [--scope S] | set FILE [--scope S] | "
                          "remove CODE [--scope S]"));
      return EXIT_OK;
    }
  verb = take_any_verb (&argc, &argv, verbs);
  if (verb == NULL)
    return EXIT_FAILED;
  /* The verb's --help then reads “opentill-hq promotion set [OPTION…] FILE”. */
  program = g_strconcat (argv[0], " ", verb, NULL);
  argv[0] = program;
  if (g_str_equal (verb, "list"))
    return run_promotion_list (argc, argv);
  if (g_str_equal (verb, "set"))
    return run_promotion_set (argc, argv);
  return run_promotion_remove (argc, argv);
}

static int
run_z_list (int argc, char **argv)
{
  g_auto (HqSettings) settings = { 0 };
  g_autofree char *till_id = NULL;
  g_autofree char *store_id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  g_autoptr (Table) table = NULL;
  guint              n_flagged = 0;
  const GOptionEntry entries[] = {
    { "till", 0, 0, G_OPTION_ARG_STRING, &till_id, N_ ("Only this till, e.g. S001-01"),
      N_ ("TILL") },
    { "store", 0, 0, G_OPTION_ARG_STRING, &store_id, N_ ("Only the tills of this store"),
      N_ ("ID") },
    { NULL },
  };

  if (!parse_command (&argc, &argv, entries, NULL,
                      _ ("Lists the Z reports (the days’ closing reports) the tills pushed, by "
                         "till and number, with "
                         "the day's sales, returns and the perpetual grand total. “Continuity” "
                         "says whether each follows the till's previous Z: ok, gap (HQ lacks "
                         "the Z before), mismatch (the grand total does not carry on) or "
                         "duplicate (a second Z under the same number)."),
                      0, &settings))
    return EXIT_FAILED;

  store = open_store (&settings, &error);
  if (store == NULL)
    return fail_with (error);
  rows = hq_store_list_z_reports (store, till_id, store_id, &error);
  if (rows == NULL)
    return fail_with (error);
  table = table_new (0x72, _ ("Till"), _ ("Z"), _ ("Day"), _ ("Closed"), _ ("Sales"), _ ("Returns"),
                     _ ("Grand total"), _ ("Continuity"), NULL);
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    {
      const char *continuity = hq_db_rows_get_text (rows, r, 8);

      if (g_strcmp0 (continuity, "ok") != 0)
        n_flagged++;
      table_add (
          table, dup_text (rows, r, 0), format_int (hq_db_rows_get_int (rows, r, 2)),
          g_strdup (hq_db_rows_is_null (rows, r, 3) ? "-" : hq_db_rows_get_text (rows, r, 3)),
          format_time_us (hq_db_rows_get_int (rows, r, 4)),
          format_yuan (hq_db_rows_get_int (rows, r, 5)),
          format_yuan (hq_db_rows_get_int (rows, r, 6)),
          format_yuan (hq_db_rows_get_int (rows, r, 7)), g_strdup (continuity));
    }
  table_print (table);
  if (hq_db_rows_get_n_rows (rows) == 0)
    g_print (_ ("(no Z reports)\n"));
  /* What is wrong, one line each, so that store IT need not look it up. */
  for (guint r = 0; n_flagged > 0 && r < hq_db_rows_get_n_rows (rows); r++)
    if (!hq_db_rows_is_null (rows, r, 9))
      g_print ("%s: %s\n", hq_db_rows_get_text (rows, r, 0), hq_db_rows_get_text (rows, r, 9));
  return EXIT_OK;
}

static int
run_z (int argc, char **argv)
{
  static const char *const verbs[] = { "list", NULL };
  g_autofree char         *program = NULL;

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s\n", _ ("Usage: opentill-hq z list [--till TILL] [--store ID]"));
      return EXIT_OK;
    }
  if (take_any_verb (&argc, &argv, verbs) == NULL)
    return EXIT_FAILED;
  program = g_strconcat (argv[0], " list", NULL);
  argv[0] = program;
  return run_z_list (argc, argv);
}

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n", _ ("Usage: opentill-hq COMMAND [OPTION…]"));
  fprintf (stream, "%s\n", _ ("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-17s %s\n", commands[i].name, _ (commands[i].summary));
  fprintf (stream, "\n%s\n", _ ("Run “opentill-hq COMMAND --help” for the options of a command."));
}

int
main (int argc, char **argv)
{
  const char *name;
  int         status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_FAILED;
    }
  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      print_usage (stdout);
      return EXIT_OK;
    }
  if (g_str_equal (name, "--version"))
    {
      g_print ("opentill-hq %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      {
        /* The command sees itself as argv[0], as GOptionContext expects: its
         * --help then reads “opentill-hq serve [OPTION…]”. */
        g_autofree char *program = g_strconcat ("opentill-hq ", name, NULL);

        command_name = name;
        argv[1] = program;
        status = commands[i].run (argc - 1, argv + 1);
        g_clear_pointer (&option_config, g_free);
        g_clear_pointer (&option_db, g_free);
        g_clear_pointer (&option_data, g_free);
        return status;
      }

  g_printerr (_ ("opentill-hq: unknown command “%s”\n"), name);
  print_usage (stderr);
  return EXIT_FAILED;
}
