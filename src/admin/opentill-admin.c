/* opentill-admin.c: the command line for store IT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-admin"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "till-admin-hw.h"
#include "till-core.h"

/* Exit statuses: scripts tell a mistyped command from a failed one. */
enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

typedef struct
{
  const char *name;
  const char *summary; /* translated when shown */
  int (*run) (int argc, char **argv);
} AdminCommand;

static int run_demo (int argc, char **argv);

static const AdminCommand commands[] = {
  { "demo", N_ ("Fill an empty store with a demo convenience store"), run_demo },
  { "hw",
    N_ ("Find devices, read a printer’s status, print a test page, open the drawer, read the "
        "scale, show text on the customer display (list|status|test|drawer|scale|display)"),
    till_admin_hw_run },
};

/* The database the till uses: $OPENTILL_DB, else the user's data directory. */
static char *
default_db_path (void)
{
  const char *from_env = g_getenv ("OPENTILL_DB");

  if (from_env != NULL && *from_env != '\0')
    return g_strdup (from_env);
  return g_build_filename (g_get_user_data_dir (), "opentill", "till.db", NULL);
}

static gboolean
ensure_parent_directory (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("Cannot create the directory %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_unsigned (const char *option, const char *text, guint64 min, guint64 max, guint64 *out_value)
{
  g_autoptr (GError) error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, out_value, &error))
    {
      g_printerr (_ ("opentill-admin: %s: %s\n"), option, error->message);
      return FALSE;
    }
  return TRUE;
}

static gint64
count_rows (TillStore *store, const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int64 (stmt, 0);
}

static int
run_demo (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *skus_text = NULL;
  g_autofree char *seed_text = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GTimer) timer = NULL;
  guint64            n_skus = TILL_DEMO_DEFAULT_SKUS;
  guint64            seed = 1;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_ ("The till database (default: $OPENTILL_DB or ~/.local/share/opentill/till.db)"),
      N_ ("PATH") },
    { "skus", 0, 0, G_OPTION_ARG_STRING, &skus_text, N_ ("How many products to make"), N_ ("N") },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      N_ ("Seed of the generator: the same seed makes the same store"), N_ ("S") },
    { NULL },
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _ ("Fills an empty store with a demo convenience store: "
                                            "categories, products with barcodes, weighed fresh "
                                            "goods, quick keys, settings and two users."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("opentill-admin demo: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (argc > 1)
    {
      g_printerr (_ ("opentill-admin demo: unexpected argument “%s”\n"), argv[1]);
      return EXIT_USAGE;
    }
  if (skus_text != NULL && !parse_unsigned ("--skus", skus_text, 1, 10000000, &n_skus))
    return EXIT_USAGE;
  if (seed_text != NULL && !parse_unsigned ("--seed", seed_text, 0, G_MAXUINT32, &seed))
    return EXIT_USAGE;
  if (db_path == NULL)
    db_path = default_db_path ();

  if (!ensure_parent_directory (db_path, &error))
    {
      g_printerr ("opentill-admin: %s\n", error->message);
      return EXIT_FAILED;
    }

  timer = g_timer_new ();
  store = till_store_open (db_path, &error);
  if (store == NULL || !till_demo_populate (store, (guint) n_skus, (guint32) seed, &error))
    {
      g_printerr ("opentill-admin: %s\n", error->message);
      return EXIT_FAILED;
    }
  g_timer_stop (timer);

  g_print (_ ("Made a demo store in %s in %.2f s:\n"), db_path, g_timer_elapsed (timer, NULL));
  g_print (_ ("  %" PRId64 " products (%" PRId64 " weighed, with PLU codes)\n"),
           count_rows (store, "SELECT count(*) FROM product"),
           count_rows (store, "SELECT count(*) FROM product WHERE weighed"));
  g_print (_ ("  %" PRId64 " barcodes, %" PRId64 " categories, %" PRId64 " quick keys\n"),
           count_rows (store, "SELECT count(*) FROM barcode"),
           count_rows (store, "SELECT count(*) FROM category"),
           count_rows (store, "SELECT count(*) FROM product WHERE popularity > 0"));
  g_print (_ ("  Sign in as cashier %s (PIN %s) or manager %s (PIN %s)\n"), TILL_DEMO_CASHIER_CODE,
           TILL_DEMO_CASHIER_PIN, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  return EXIT_OK;
}

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n", _ ("Usage: opentill-admin COMMAND [OPTION…]"));
  fprintf (stream, "%s\n", _ ("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, _ (commands[i].summary));
  fprintf (stream, "\n%s\n",
           _ ("Run “opentill-admin COMMAND --help” for the options of a command."));
}

int
main (int argc, char **argv)
{
  const char *name;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }
  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      print_usage (stdout);
      return EXIT_OK;
    }
  if (g_str_equal (name, "--version"))
    {
      g_print ("opentill-admin %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      {
        /* The command sees itself as argv[0], as GOptionContext expects: its
         * --help then reads “opentill-admin demo [OPTION…]”. */
        g_autofree char *program = g_strconcat ("opentill-admin ", name, NULL);

        argv[1] = program;
        return commands[i].run (argc - 1, argv + 1);
      }

  g_printerr (_ ("opentill-admin: unknown command “%s”\n\n"), name);
  print_usage (stderr);
  return EXIT_USAGE;
}
