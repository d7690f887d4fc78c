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
#include "till-admin-members.h"
#include "till-admin-products.h"
#include "till-admin-reports.h"
#include "till-admin-shifts.h"
#include "till-core.h"
#include "till-enroll.h"
#include "till-sync.h"

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
static int run_enroll (int argc, char **argv);
static int run_sync (int argc, char **argv);
static int run_sync_status (int argc, char **argv);

static const AdminCommand commands[] = {
  { "demo", N_ ("Fill an empty store with a demo convenience store"), run_demo },
  { "hw",
    N_ ("Find devices, read a printer’s status, print a test page, open the drawer, read the "
        "scale, show text on the customer display (list|status|test|drawer|scale|display)"),
    till_admin_hw_run },
  { "members",
    N_ ("Members: marketing lists, a member's data on request, coupons, the daily upkeep "
        "(list|show|export|erase|coupon|daily)"),
    till_admin_members_run },
  { "products",
    N_ ("Products: list them, export them to CSV or XLSX, import a file of them "
        "(list|export|import)"),
    till_admin_products_run },
  { "report",
    N_ ("Run a report and print it, or export its table as CSV or XLSX and its chart as PNG "
        "or PDF (report KIND|list [--from DAY] [--to DAY])"),
    till_admin_report_run },
  { "shifts",
    N_ ("List the till’s shifts: cashier, times, sales and the counted cash (shifts [--since "
        "YYYY-MM-DD])"),
    till_admin_shifts_run },
  { "z-report", N_ ("Show the last Z report, or Z report N, as text (z-report [N])"),
    till_admin_z_report_run },
  { "enroll", N_ ("Join this till to HQ with a one-time token (enroll URL TOKEN)"), run_enroll },
  { "sync", N_ ("Send queued sales to HQ and fetch its master data, once"), run_sync },
  { "sync-status", N_ ("Show the till’s enrollment, queue, acknowledgements and pulls"),
    run_sync_status },
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

/* --- Sync with HQ: enroll, sync, sync-status ----------------------------------- */

/* How long one request to HQ may take from the command line. */
#define ADMIN_SYNC_TIMEOUT_S 30

/* The till's database and its journal, opened as the till opens them (the
 * journal key beside the database). */
static gboolean
open_till (const char *db_path, TillStore **out_store, TillJournal **out_journal, GError **error)
{
  g_autoptr (TillStore) store = NULL;
  g_autofree char *db_dir = g_path_get_dirname (db_path);
  g_autofree char *key_path = g_build_filename (db_dir, "till.key", NULL);

  if (!ensure_parent_directory (db_path, error))
    return FALSE;
  store = till_store_open (db_path, error);
  if (store == NULL)
    return FALSE;
  if (out_journal != NULL)
    {
      *out_journal = till_journal_new (store, key_path, error);
      if (*out_journal == NULL)
        return FALSE;
    }
  *out_store = g_steal_pointer (&store);
  return TRUE;
}

/* "2025-11-22 14:03:07" in local time, or "never" for 0. */
static char *
format_time_us (gint64 time_us)
{
  g_autoptr (GDateTime) time = NULL;

  if (time_us <= 0)
    return g_strdup (_ ("never"));
  time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  if (time == NULL)
    return g_strdup ("?");
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
}

static gboolean
parse_db_only (
    const char *command, const char *summary, int *argc, char ***argv, char **out_db_path)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, out_db_path,
      N_ ("The till database (default: $OPENTILL_DB or ~/.local/share/opentill/till.db)"),
      N_ ("PATH") },
    { NULL },
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("opentill-admin %s: %s\n", command, error->message);
      return FALSE;
    }
  if (*argc > 1)
    {
      g_printerr (_ ("opentill-admin %s: unexpected argument “%s”\n"), command, (*argv)[1]);
      return FALSE;
    }
  if (*out_db_path == NULL)
    *out_db_path = default_db_path ();
  return TRUE;
}

static int
run_enroll (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autofree char   *cert_dir = NULL;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_ ("The till database (default: $OPENTILL_DB or ~/.local/share/opentill/till.db)"),
      N_ ("PATH") },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      N_ ("Where the till’s key and certificates go (default: the database’s directory)"),
      N_ ("DIR") },
    { NULL },
  };

  context = g_option_context_new (_ ("URL TOKEN"));
  g_option_context_set_summary (
      context, _ ("Joins this till to HQ. Make the token at HQ with “opentill-hq enroll --store "
                  "STORE --till N”; the till checks HQ’s certificate against it before it sends "
                  "anything, then keeps its own key, its certificate and HQ’s."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("opentill-admin enroll: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (argc != 3)
    {
      g_printerr (_ ("opentill-admin enroll: give HQ’s URL and the token, e.g. "
                     "opentill-admin enroll https://hq.example.com:8443 TOKEN\n"));
      return EXIT_USAGE;
    }
  if (db_path == NULL)
    db_path = default_db_path ();
  if (dir == NULL)
    dir = g_path_get_dirname (db_path);

  if (!open_till (db_path, &store, &journal, &error))
    {
      g_printerr ("opentill-admin: %s\n", error->message);
      return EXIT_FAILED;
    }
  identity = till_enroll (store, journal, argv[1], argv[2], dir, &error);
  if (identity == NULL)
    {
      g_printerr ("opentill-admin enroll: %s\n", error->message);
      return EXIT_FAILED;
    }

  g_print (_ ("Enrolled with HQ at %s:\n"), identity->url);
  g_print (_ ("  till %s of store %s, epoch %u\n"), identity->till_id, identity->store_id,
           identity->epoch);
  cert_dir = g_path_get_dirname (identity->cert_path);
  g_print (_ ("  key and certificates in %s\n"), cert_dir);
  return EXIT_OK;
}

static int
run_sync (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillSyncClient) client = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autoptr (GOptionContext) context = NULL;
  gint64             resend_from = 0;
  guint              pushed = 0;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_ ("The till database (default: $OPENTILL_DB or ~/.local/share/opentill/till.db)"),
      N_ ("PATH") },
    { "resend-from", 0, 0, G_OPTION_ARG_INT64, &resend_from,
      N_ ("Send again every document from this number on (after HQ was restored from a "
          "backup; HQ keeps each document once)"),
      N_ ("N") },
    { NULL },
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _ ("Sends every queued sale to HQ and fetches HQ’s master data, "
                                   "once, then says what moved. The till program does this by "
                                   "itself in the background; this is for store IT."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("opentill-admin sync: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (argc > 1)
    {
      g_printerr (_ ("opentill-admin %s: unexpected argument “%s”\n"), "sync", argv[1]);
      return EXIT_USAGE;
    }
  if (db_path == NULL)
    db_path = default_db_path ();

  if (!open_till (db_path, &store, &journal, &error))
    {
      g_printerr ("opentill-admin: %s\n", error->message);
      return EXIT_FAILED;
    }
  if (resend_from > 0)
    {
      gint64 queued = till_outbox_resend_from (store, resend_from, &error);

      if (queued < 0)
        {
          g_printerr ("opentill-admin sync: %s\n", error->message);
          return EXIT_FAILED;
        }
      g_print (_ ("Queued %" PRId64 " documents again, from number %" PRId64 " on.\n"), queued,
               resend_from);
    }
  identity = till_sync_identity_load (store, &error);
  if (identity == NULL)
    {
      if (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_NOT_ENROLLED))
        g_printerr (_ ("opentill-admin sync: this till is not enrolled with HQ; run "
                       "“opentill-admin enroll URL TOKEN” first\n"));
      else
        g_printerr ("opentill-admin sync: %s\n", error->message);
      return EXIT_FAILED;
    }
  client = till_sync_client_new_for_store (store, ADMIN_SYNC_TIMEOUT_S, &error);
  if (client == NULL || !till_sync_run (store, journal, client, &pushed, &error))
    {
      if (pushed > 0)
        g_print (_ ("Sent %u documents to HQ before it stopped.\n"), pushed);
      g_printerr ("opentill-admin sync: %s\n", error->message);
      return EXIT_FAILED;
    }

  g_print (_ ("Synced till %s with HQ at %s:\n"), identity->till_id, identity->url);
  g_print (_ ("  sent %u documents\n"), pushed);
  g_print (_ ("  pulled:"));
  for (guint i = 0; till_wire_channels[i] != NULL; i++)
    {
      gint64 cursor = till_master_data_get_cursor (store, till_wire_channels[i], NULL);

      g_print (" %s@%" PRId64, till_wire_channels[i], cursor);
    }
  g_print ("\n");
  return EXIT_OK;
}

static int
run_sync_status (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autofree char *oldest = NULL;
  g_autofree char *last_ack = NULL;
  g_autofree char *pending_size = NULL;
  g_autofree char *free_size = NULL;
  g_autofree char *min_free_size = NULL;
  TillOutboxStats  stats = { 0 };
  TillSyncLimits   limits = { 0 };
  gint64           now_us = g_get_real_time ();

  if (!parse_db_only ("sync-status",
                      _ ("Shows whether this till is enrolled with HQ, what waits to be sent, "
                         "what HQ acknowledged, an item HQ refuses and why, each master-data "
                         "channel’s position and the offline limits."),
                      &argc, &argv, &db_path))
    return EXIT_USAGE;

  if (!open_till (db_path, &store, NULL, &error))
    {
      g_printerr ("opentill-admin: %s\n", error->message);
      return EXIT_FAILED;
    }

  identity = till_sync_identity_load (store, &error);
  if (identity != NULL)
    {
      g_autofree char *enrolled = format_time_us (identity->enrolled_us);

      g_print (_ ("Enrolled as: till %s of store %s, epoch %u, since %s\n"), identity->till_id,
               identity->store_id, identity->epoch, enrolled);
      g_print (_ ("HQ: %s\n"), identity->url);
    }
  else if (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_NOT_ENROLLED))
    g_print (_ ("Enrolled as: not enrolled (run “opentill-admin enroll URL TOKEN”)\n"));
  else
    {
      g_printerr ("opentill-admin sync-status: %s\n", error->message);
      return EXIT_FAILED;
    }
  g_clear_error (&error);

  if (!till_outbox_get_stats (store, &stats, &error))
    {
      g_printerr ("opentill-admin sync-status: %s\n", error->message);
      return EXIT_FAILED;
    }
  oldest = format_time_us (stats.oldest_pending_us);
  last_ack = format_time_us (stats.last_ack_us);
  pending_size = g_format_size (stats.pending_bytes);
  g_print (_ ("Pending: %" PRId64 " documents (%s)\n"), stats.pending, pending_size);
  g_print (_ ("Oldest unsent: %s\n"), stats.pending > 0 ? oldest : _ ("none"));
  g_print (_ ("Acked through: %" PRId64 "\n"), stats.acked_through);
  g_print (_ ("Last ack: %s\n"), last_ack);
  if (stats.failing_seq > 0)
    {
      g_autofree char *since = format_time_us (stats.failing_since_us);

      g_print (_ ("Failing: document %" PRId64 " since %s: %s\n"), stats.failing_seq, since,
               stats.failing_reason != NULL ? stats.failing_reason : "?");
    }
  else
    g_print (_ ("Failing: none\n"));
  till_outbox_stats_clear (&stats);

  g_print (_ ("Channels:\n"));
  for (guint i = 0; till_wire_channels[i] != NULL; i++)
    {
      const char *channel = till_wire_channels[i];
      gint64      cursor = till_master_data_get_cursor (store, channel, NULL);

      g_print ("  %-12s %s %" PRId64 "%s\n", channel, _ ("cursor"), cursor,
               till_master_data_is_reloading (store, channel) ? _ (" (reloading)") : "");
    }

  if (!till_sync_check_limits (store, now_us, &limits, &error))
    {
      g_printerr ("opentill-admin sync-status: %s\n", error->message);
      return EXIT_FAILED;
    }
  free_size = g_format_size_full (limits.free_bytes, G_FORMAT_SIZE_IEC_UNITS);
  min_free_size = g_format_size_full (limits.min_free_bytes, G_FORMAT_SIZE_IEC_UNITS);
  g_print (_ ("Offline limits: oldest unsent %" PRId64 " h, queue %" PRId64
              " documents, free disk %s (now %s free)\n"),
           limits.max_age_us / G_TIME_SPAN_HOUR, limits.max_pending, min_free_size, free_size);
  if (limits.exceeded == TILL_SYNC_LIMIT_NONE)
    g_print (_ ("  within every limit\n"));
  else
    {
      const struct
      {
        TillSyncLimit limit;
        const char   *name;
      } names[] = {
        { TILL_SYNC_LIMIT_OLDEST, N_ ("oldest unsent") },
        { TILL_SYNC_LIMIT_QUEUE, N_ ("queue") },
        { TILL_SYNC_LIMIT_DISK, N_ ("free disk") },
      };

      for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        if (limits.exceeded & names[i].limit)
          g_print (_ ("  over the %s limit%s\n"), _ (names[i].name),
                   (limits.blocking & names[i].limit) ? _ (": new sales are blocked") : "");
    }
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
