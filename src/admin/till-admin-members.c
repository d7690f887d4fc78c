/* till-admin-members.c: `opentill-admin members`, members' target lists for
 * marketing, written as CSV or pushed to a webhook
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-admin"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "till-admin-members.h"
#include "till-core.h"

enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

/* How long the marketing webhook may take to answer. */
#define WEBHOOK_TIMEOUT_S 10

typedef struct
{
  char *db_path;
  char *member_key_path;
  char *csv_path;
  char *webhook_url;
  char *user_code;
  char *pin;
  char *supervisor_code;
  char *supervisor_pin;
  char *reason;
} ListOptions;

static void
list_options_clear (ListOptions *options)
{
  g_free (options->db_path);
  g_free (options->member_key_path);
  g_free (options->csv_path);
  g_free (options->webhook_url);
  g_free (options->user_code);
  g_free (options->pin);
  g_free (options->supervisor_code);
  g_free (options->supervisor_pin);
  g_free (options->reason);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ListOptions, list_options_clear)

static void
print_usage (void)
{
  g_printerr ("%s\n", _ ("Usage: opentill-admin members list KIND [ARG] [--csv FILE] "
                         "[--webhook URL] --user CODE --pin PIN"));
  g_printerr ("%s\n", _ ("KIND is tier CODE, lapsed DAYS, birthday-month [1–12] or "
                         "bought-category CODE."));
  g_printerr ("%s\n", _ ("Without --csv or --webhook the CSV goes to standard output. Full "
                         "phones and names need a user (or --supervisor) who may see "
                         "members' data; otherwise they are masked."));
}

/* The database the till uses: $OPENTILL_DB, else the user's data directory
 * (as the other commands find it). */
static char *
default_db_path (void)
{
  const char *from_env = g_getenv ("OPENTILL_DB");

  if (from_env != NULL && *from_env != '\0')
    return g_strdup (from_env);
  return g_build_filename (g_get_user_data_dir (), "opentill", "till.db", NULL);
}

/* "tier-gold", "lapsed-90", "birthday-month", "bought-category-FOOD". */
static char *
list_name (TillMemberListKind kind, const char *arg)
{
  const char *kind_name = till_member_list_kind_to_string (kind);

  return arg != NULL ? g_strdup_printf ("%s-%s", kind_name, arg) : g_strdup (kind_name);
}

static gboolean
post_webhook (const char *url, const char *json, GError **error)
{
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GUri) uri = NULL;
  const char *scheme;
  guint       status;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, error);
  if (uri == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("The webhook must be an http:// or https:// URL, not “%s”"), url);
      return FALSE;
    }
  session = soup_session_new_with_options ("timeout", WEBHOOK_TIMEOUT_S, "user-agent",
                                           "opentill-admin/" PACKAGE_VERSION, NULL);
  message = soup_message_new_from_uri (SOUP_METHOD_POST, uri);
  body = g_bytes_new (json, strlen (json));
  soup_message_set_request_body_from_bytes (message, "application/json", body);
  answer = soup_session_send_and_read (session, message, NULL, error);
  if (answer == NULL)
    return FALSE;
  status = soup_message_get_status (message);
  if (status < 200 || status > 299)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("The webhook answered %u %s"), status,
                   soup_message_get_reason_phrase (message) != NULL
                       ? soup_message_get_reason_phrase (message)
                       : "");
      return FALSE;
    }
  return TRUE;
}

static int
run_list (int argc, char **argv)
{
  g_auto (ListOptions) options = { 0 };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillMemberKey) key = NULL;
  g_autoptr (TillUser) user = NULL;
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char    *db_dir = NULL;
  g_autofree char    *journal_key_path = NULL;
  g_autofree char    *name = NULL;
  TillOverride        override = { 0 };
  const TillOverride *maybe_override = NULL;
  TillMemberListKind  kind;
  const char         *arg;
  gboolean            to_stdout;
  const GOptionEntry  entries[] = {
     { "db", 0, 0, G_OPTION_ARG_FILENAME, &options.db_path,
       N_ ("The till database (default: $OPENTILL_DB or ~/.local/share/opentill/till.db)"),
       N_ ("PATH") },
     { "member-key", 0, 0, G_OPTION_ARG_FILENAME, &options.member_key_path,
       N_ ("The key of members’ personal data (default: member.key beside the database)"),
       N_ ("PATH") },
     { "csv", 0, 0, G_OPTION_ARG_FILENAME, &options.csv_path,
       N_ ("Write the list as CSV to FILE (readable by its owner only)"), N_ ("FILE") },
     { "webhook", 0, 0, G_OPTION_ARG_STRING, &options.webhook_url,
       N_ ("POST the list as JSON to URL (the SMS/WeChat marketing service)"), N_ ("URL") },
     { "user", 0, 0, G_OPTION_ARG_STRING, &options.user_code, N_ ("Who makes the list"),
       N_ ("CODE") },
     { "pin", 0, 0, G_OPTION_ARG_STRING, &options.pin, N_ ("Their PIN"), N_ ("PIN") },
     { "supervisor", 0, 0, G_OPTION_ARG_STRING, &options.supervisor_code,
       N_ ("A supervisor who approves full data for a user who may not see it"), N_ ("CODE") },
     { "supervisor-pin", 0, 0, G_OPTION_ARG_STRING, &options.supervisor_pin,
       N_ ("The supervisor’s PIN"), N_ ("PIN") },
     { "reason", 0, 0, G_OPTION_ARG_STRING, &options.reason, N_ ("Why (with --supervisor)"),
       N_ ("TEXT") },
     { NULL },
  };

  context = g_option_context_new (_ ("KIND [ARG]"));
  g_option_context_set_summary (context, _ ("Members on a marketing list (members who opted "
                                            "out or were erased never are)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("opentill-admin members list: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (argc < 2 || argc > 3)
    {
      print_usage ();
      return EXIT_USAGE;
    }
  if (!till_member_list_kind_from_string (argv[1], &kind))
    {
      g_printerr (_ ("opentill-admin members list: unknown kind of list “%s”\n"), argv[1]);
      print_usage ();
      return EXIT_USAGE;
    }
  arg = argc == 3 ? argv[2] : NULL;
  if (options.user_code == NULL || options.pin == NULL)
    {
      g_printerr ("%s\n", _ ("opentill-admin members list: say who you are with --user and --pin"));
      return EXIT_USAGE;
    }
  if (options.supervisor_code != NULL)
    {
      if (options.supervisor_pin == NULL || options.reason == NULL)
        {
          g_printerr ("%s\n", _ ("opentill-admin members list: --supervisor needs "
                                 "--supervisor-pin and --reason"));
          return EXIT_USAGE;
        }
      override.supervisor_code = options.supervisor_code;
      override.supervisor_secret = options.supervisor_pin;
      override.reason = options.reason;
      maybe_override = &override;
    }

  if (options.db_path == NULL)
    options.db_path = default_db_path ();
  db_dir = g_path_get_dirname (options.db_path);
  /* The journal key and the member key live beside the database, as the
   * till keeps them. */
  journal_key_path = g_build_filename (db_dir, "till.key", NULL);
  if (options.member_key_path == NULL)
    options.member_key_path = g_build_filename (db_dir, "member.key", NULL);

  if (!g_file_test (options.db_path, G_FILE_TEST_EXISTS))
    {
      g_printerr (_ ("opentill-admin members list: there is no till database at %s\n"),
                  options.db_path);
      return EXIT_FAILED;
    }
  store = till_store_open (options.db_path, &error);
  if (store == NULL || (journal = till_journal_new (store, journal_key_path, &error)) == NULL ||
      (key = till_member_key_load_or_create (options.member_key_path, &error)) == NULL ||
      (user = till_user_authenticate (store, options.user_code, options.pin, &error)) == NULL)
    {
      g_printerr ("opentill-admin members list: %s\n", error->message);
      return EXIT_FAILED;
    }

  members = till_member_list_build (store, key, kind, arg, g_get_real_time (), &error);
  if (members == NULL)
    {
      g_printerr ("opentill-admin members list: %s\n", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ? EXIT_USAGE
                                                                              : EXIT_FAILED;
    }
  name = list_name (kind, arg);
  if (maybe_override == NULL && !till_permission_role_has (store, till_user_get_role (user),
                                                           TILL_PERMISSION_VIEW_MEMBER_DATA))
    g_printerr (_ ("opentill-admin members list: %s may not see members’ data: phones and "
                   "names are masked\n"),
                options.user_code);

  to_stdout = options.csv_path == NULL && options.webhook_url == NULL;
  if (options.csv_path != NULL || to_stdout)
    {
      g_autofree char *csv = till_member_list_to_csv (store, journal, key, user, maybe_override,
                                                      members, name, &error);

      if (csv == NULL)
        {
          g_printerr ("opentill-admin members list: %s\n", error->message);
          return EXIT_FAILED;
        }
      if (to_stdout)
        fputs (csv, stdout);
      /* A list of phone numbers is personal data: only its owner reads it. */
      else if (!g_file_set_contents_full (options.csv_path, csv, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                          0600, &error))
        {
          g_printerr ("opentill-admin members list: %s\n", error->message);
          return EXIT_FAILED;
        }
    }
  if (options.webhook_url != NULL)
    {
      g_autofree char *json = till_member_list_to_json (store, journal, key, user, maybe_override,
                                                        members, name, &error);

      if (json == NULL || !post_webhook (options.webhook_url, json, &error))
        {
          g_printerr ("opentill-admin members list: %s\n", error->message);
          return EXIT_FAILED;
        }
    }
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u member on the list “%s”\n",
                           "%u members on the list “%s”\n", members->len),
              members->len, name);
  return EXIT_OK;
}

/**
 * till_admin_members_run:
 *
 * Returns: the process exit status
 */
int
till_admin_members_run (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    {
      /* "list" sees itself as argv[0] for its --help. */
      g_autofree char *program = g_strconcat (argv[0], " list", NULL);
      char            *saved = argv[1];
      int              status;

      argv[1] = program;
      status = run_list (argc - 1, argv + 1);
      argv[1] = saved;
      return status;
    }
  print_usage ();
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) ? EXIT_OK
                                                                                       : EXIT_USAGE;
}
