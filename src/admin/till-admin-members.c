/* till-admin-members.c: `opentill-admin members`, members' target lists for
 * marketing (CSV or a webhook), a member's record, PIPL export and erasure,
 * member coupons and the daily loyalty upkeep
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
#include "till-admin-util.h"
#include "till-core.h"

/* How long the marketing webhook may take to answer. */
#define WEBHOOK_TIMEOUT_S 10

/* The options every command takes: where the till is and who runs it. */
typedef struct
{
  char *db_path;
  char *member_key_path;
  char *user_code;
  char *pin;
  char *supervisor_code;
  char *supervisor_pin;
  char *override_reason;
} CommonOptions;

/* The till as a command works on it, opened by open_till (). */
typedef struct
{
  TillStore     *store;
  TillJournal   *journal;
  TillMemberKey *key;
  TillUser      *user;
  TillOverride   override;
  gboolean       has_override;
} AdminTill;

typedef struct MembersCommand MembersCommand;
struct MembersCommand
{
  const char *name;
  const char *usage; /* translated when shown */
  int (*run) (const MembersCommand *command, int argc, char **argv);
};

static int run_list (const MembersCommand *command, int argc, char **argv);
static int run_show (const MembersCommand *command, int argc, char **argv);
static int run_export (const MembersCommand *command, int argc, char **argv);
static int run_erase (const MembersCommand *command, int argc, char **argv);
static int run_coupon (const MembersCommand *command, int argc, char **argv);
static int run_daily (const MembersCommand *command, int argc, char **argv);

static const MembersCommand commands[] = {
  { "list",
    N_ ("list KIND [ARG] [--csv FILE] [--webhook URL]: members on a marketing list. KIND is "
        "tier CODE, lapsed DAYS, birthday-month [1–12] or bought-category CODE; without --csv "
        "or --webhook the CSV goes to standard output"),
    run_list },
  { "show", N_ ("show PHONE|CARD|ID: a member’s record, spend, points and coupons"), run_show },
  { "export",
    N_ ("export PHONE|CARD|ID [--out FILE]: everything the till holds on a member, as JSON "
        "(a PIPL request)"),
    run_export },
  { "erase", N_ ("erase PHONE|CARD|ID --yes: erase a member’s personal data (a PIPL request)"),
    run_erase },
  { "coupon",
    N_ ("coupon PHONE|CARD|ID PROMOTION [--reason TEXT]: issue a member coupon of a coupon "
        "promotion"),
    run_coupon },
  { "daily",
    N_ ("daily: expire points past their date, evaluate every member’s tier again and issue "
        "birthday coupons"),
    run_daily },
};

static void
common_options_clear (CommonOptions *options)
{
  g_free (options->db_path);
  g_free (options->member_key_path);
  g_free (options->user_code);
  g_free (options->pin);
  g_free (options->supervisor_code);
  g_free (options->supervisor_pin);
  g_free (options->override_reason);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommonOptions, common_options_clear)

static void
admin_till_clear (AdminTill *till)
{
  g_clear_object (&till->user);
  g_clear_object (&till->key);
  g_clear_object (&till->journal);
  g_clear_object (&till->store);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AdminTill, admin_till_clear)

static void
print_usage (const MembersCommand *only)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (only == NULL || only == &commands[i])
      g_printerr ("%s %s\n", _ ("Usage: opentill-admin members"), _ (commands[i].usage));
  g_printerr ("%s\n", _ ("Every command needs --user CODE --pin PIN. Full phones and names need "
                         "a user (or --supervisor) who may see members’ data; otherwise they "
                         "are masked."));
}

static void
print_failure (const char *command, const GError *error)
{
  g_printerr ("opentill-admin members %s: %s\n", command, error->message);
}

/* Adds --db, --member-key, --user and --pin to @context and, when
 * @with_override, --supervisor, --supervisor-pin and --reason too (the
 * commands whose core call takes a supervisor's override). */
static void
add_common_entries (GOptionContext *context, CommonOptions *options, gboolean with_override)
{
  /* GOptionContext copies the entries, so they may live on the stack. */
  const GOptionEntry identity_entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &options->db_path,
      N_ ("The till database (default: $OPENTILL_DB or ~/.local/share/opentill/till.db)"),
      N_ ("PATH") },
    { "member-key", 0, 0, G_OPTION_ARG_FILENAME, &options->member_key_path,
      N_ ("The key of members’ personal data (default: member.key beside the database)"),
      N_ ("PATH") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &options->user_code, N_ ("Who does it"), N_ ("CODE") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &options->pin, N_ ("Their PIN"), N_ ("PIN") },
    { NULL },
  };
  const GOptionEntry override_entries[] = {
    { "supervisor", 0, 0, G_OPTION_ARG_STRING, &options->supervisor_code,
      N_ ("A supervisor who approves members’ data for a user who may not see it"), N_ ("CODE") },
    { "supervisor-pin", 0, 0, G_OPTION_ARG_STRING, &options->supervisor_pin,
      N_ ("The supervisor’s PIN"), N_ ("PIN") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &options->override_reason,
      N_ ("Why (with --supervisor)"), N_ ("TEXT") },
    { NULL },
  };

  g_option_context_add_main_entries (context, identity_entries, GETTEXT_PACKAGE);
  if (with_override)
    g_option_context_add_main_entries (context, override_entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
}

/* Parses the options and checks that between @min_args and @max_args
 * arguments follow the command; FALSE with the exit status in @out_status
 * otherwise. */
static gboolean
parse_command (const MembersCommand *command,
               GOptionContext       *context,
               int                  *argc,
               char               ***argv,
               int                   min_args,
               int                   max_args,
               int                  *out_status)
{
  g_autoptr (GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      print_failure (command->name, error);
      *out_status = EXIT_USAGE;
      return FALSE;
    }
  if (*argc - 1 < min_args || *argc - 1 > max_args)
    {
      print_usage (command);
      *out_status = EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}

/* Checks who runs the command and opens the store, the journal and the
 * member key beside it, as the till keeps them; FALSE with the exit status
 * in @out_status (a message printed) otherwise. */
static gboolean
open_till (const char *command, CommonOptions *options, AdminTill *till, int *out_status)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_dir = NULL;
  g_autofree char *journal_key_path = NULL;

  *out_status = EXIT_USAGE;
  if (options->user_code == NULL || options->pin == NULL)
    {
      g_printerr (_ ("opentill-admin members %s: say who you are with --user and --pin\n"),
                  command);
      return FALSE;
    }
  if (options->supervisor_code != NULL)
    {
      if (options->supervisor_pin == NULL || options->override_reason == NULL)
        {
          g_printerr (_ ("opentill-admin members %s: --supervisor needs --supervisor-pin and "
                         "--reason\n"),
                      command);
          return FALSE;
        }
      till->override.supervisor_code = options->supervisor_code;
      till->override.supervisor_secret = options->supervisor_pin;
      till->override.reason = options->override_reason;
      till->has_override = TRUE;
    }

  *out_status = EXIT_FAILED;
  if (options->db_path == NULL)
    options->db_path = till_admin_default_db_path ();
  db_dir = g_path_get_dirname (options->db_path);
  journal_key_path = g_build_filename (db_dir, "till.key", NULL);
  if (options->member_key_path == NULL)
    options->member_key_path = g_build_filename (db_dir, "member.key", NULL);
  if (!g_file_test (options->db_path, G_FILE_TEST_EXISTS))
    {
      g_printerr (_ ("opentill-admin members %s: there is no till database at %s\n"), command,
                  options->db_path);
      return FALSE;
    }
  if ((till->store = till_store_open (options->db_path, &error)) == NULL ||
      (till->journal = till_journal_new (till->store, journal_key_path, &error)) == NULL ||
      (till->key = till_member_key_load_or_create (options->member_key_path, &error)) == NULL ||
      (till->user =
           till_user_authenticate (till->store, options->user_code, options->pin, &error)) == NULL)
    {
      print_failure (command, error);
      return FALSE;
    }
  return TRUE;
}

static const TillOverride *
admin_till_override (const AdminTill *till)
{
  return till->has_override ? &till->override : NULL;
}

/* Whether the command shows full personal data: the user may see it, or a
 * supervisor approves (till_member_open_personal checks either again). */
static gboolean
admin_till_sees_personal (const AdminTill *till)
{
  return till->has_override ||
         till_permission_role_has (till->store, till_user_get_role (till->user),
                                   TILL_PERMISSION_VIEW_MEMBER_DATA);
}

/* The member @code names: a phone, card number or member QR as the till
 * finds them, else a member id (an erased member is found by id only). */
static TillMember *
find_member (const AdminTill *till, const char *code, GError **error)
{
  g_autoptr (GError) find_error = NULL;
  TillMember *member;

  member = till_member_find (till->store, till->key, code, &find_error);
  if (member != NULL ||
      !g_error_matches (find_error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND))
    {
      if (find_error != NULL)
        g_propagate_error (error, g_steal_pointer (&find_error));
      return member;
    }
  member = till_member_load (till->store, till->key, code, NULL);
  if (member == NULL)
    g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND,
                 _ ("No member has the phone, card or id “%s”"), code);
  return member;
}

/* "2026-11-23 14:05" in local time, "" for 0. */
static char *
format_time (gint64 time_us)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;

  if (time_us == 0)
    return g_strdup ("");
  utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static void
print_field (const char *label, const char *value)
{
  g_print ("%-22s %s\n", label, value != NULL ? value : "");
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

/* Writes a document of personal data to @path, readable by its owner only. */
static gboolean
write_private_file (const char *path, const char *contents, GError **error)
{
  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static int
run_list (const MembersCommand *command, int argc, char **argv)
{
  g_auto (CommonOptions) options = { 0 };
  g_auto (AdminTill) till = { 0 };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) members = NULL;
  g_autofree char   *csv_path = NULL;
  g_autofree char   *webhook_url = NULL;
  g_autofree char   *name = NULL;
  TillMemberListKind kind;
  const char        *arg;
  gboolean           to_stdout;
  int                status;
  const GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path,
      N_ ("Write the list as CSV to FILE (readable by its owner only)"), N_ ("FILE") },
    { "webhook", 0, 0, G_OPTION_ARG_STRING, &webhook_url,
      N_ ("POST the list as JSON to URL (the SMS/WeChat marketing service)"), N_ ("URL") },
    { NULL },
  };

  context = g_option_context_new (_ ("KIND [ARG]"));
  g_option_context_set_summary (context, _ ("Members on a marketing list (members who opted "
                                            "out or were erased never are)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_common_entries (context, &options, TRUE);
  if (!parse_command (command, context, &argc, &argv, 1, 2, &status))
    return status;
  if (!till_member_list_kind_from_string (argv[1], &kind))
    {
      g_printerr (_ ("opentill-admin members list: unknown kind of list “%s”\n"), argv[1]);
      print_usage (command);
      return EXIT_USAGE;
    }
  arg = argc == 3 ? argv[2] : NULL;
  if (!open_till (command->name, &options, &till, &status))
    return status;

  members = till_member_list_build (till.store, till.key, kind, arg, g_get_real_time (), &error);
  if (members == NULL)
    {
      print_failure (command->name, error);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ? EXIT_USAGE
                                                                              : EXIT_FAILED;
    }
  name = list_name (kind, arg);
  if (!admin_till_sees_personal (&till))
    g_printerr (_ ("opentill-admin members list: %s may not see members’ data: phones and "
                   "names are masked\n"),
                options.user_code);

  to_stdout = csv_path == NULL && webhook_url == NULL;
  if (csv_path != NULL || to_stdout)
    {
      g_autofree char *csv =
          till_member_list_to_csv (till.store, till.journal, till.key, till.user,
                                   admin_till_override (&till), members, name, &error);

      if (csv == NULL)
        {
          print_failure (command->name, error);
          return EXIT_FAILED;
        }
      if (to_stdout)
        fputs (csv, stdout);
      /* A list of phone numbers is personal data: only its owner reads it. */
      else if (!write_private_file (csv_path, csv, &error))
        {
          print_failure (command->name, error);
          return EXIT_FAILED;
        }
    }
  if (webhook_url != NULL)
    {
      g_autofree char *json =
          till_member_list_to_json (till.store, till.journal, till.key, till.user,
                                    admin_till_override (&till), members, name, &error);

      if (json == NULL || !post_webhook (webhook_url, json, &error))
        {
          print_failure (command->name, error);
          return EXIT_FAILED;
        }
    }
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u member on the list “%s”\n",
                           "%u members on the list “%s”\n", members->len),
              members->len, name);
  return EXIT_OK;
}

/* "gold (金卡会员)" by the store's rules; the code alone when the rules do
 * not read or do not know it. */
static char *
describe_tier (TillStore *store, const char *code)
{
  g_autoptr (TillLoyaltyRules) rules = NULL;
  g_autoptr (GError) error = NULL;
  const TillLoyaltyTier *tier;

  if (code == NULL || *code == '\0')
    return g_strdup ("");
  rules = till_loyalty_rules_load (store, &error);
  if (rules == NULL)
    {
      g_debug ("Cannot read the loyalty rules: %s", error->message);
      return g_strdup (code);
    }
  tier = till_loyalty_rules_find_tier (rules, code);
  return tier != NULL ? g_strdup_printf ("%s (%s)", code, tier->name) : g_strdup (code);
}

/* "SR10-ABC123 (生日券减10元), …" of the member's unused coupons. */
static char *
describe_coupons (GPtrArray *coupons)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < coupons->len; i++)
    {
      const TillMemberCoupon *coupon = g_ptr_array_index (coupons, i);

      g_string_append_printf (text, "%s%s (%s)", i > 0 ? ", " : "", coupon->code, coupon->name);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The personal part of `show`: opened (and journaled) for a user who may see
 * it, masked otherwise. */
static gboolean
print_personal (const char       *command,
                const AdminTill  *till,
                const TillMember *member,
                GError          **error)
{
  g_autoptr (TillMemberPersonal) personal = NULL;
  g_autofree char *masked_birthday = NULL;

  if (member->erased)
    {
      print_field (_ ("Phone:"), _ ("(erased)"));
      return TRUE;
    }
  if (!admin_till_sees_personal (till))
    {
      g_printerr (_ ("opentill-admin members %s: %s may not see members’ data: it is masked\n"),
                  command, till_user_get_code (till->user));
      if (member->birth_month != 0)
        masked_birthday = g_strdup ("**-**");
      print_field (_ ("Phone:"), member->phone_masked);
      print_field (_ ("Name:"), member->name_masked);
      print_field (_ ("Birthday:"), masked_birthday);
      return TRUE;
    }
  personal = till_member_open_personal (till->store, till->journal, till->key, till->user,
                                        admin_till_override (till), member->id, error);
  if (personal == NULL)
    return FALSE;
  print_field (_ ("Phone:"), personal->phone);
  print_field (_ ("Name:"), personal->name);
  print_field (_ ("Birthday:"), personal->birthday);
  return TRUE;
}

static int
run_show (const MembersCommand *command, int argc, char **argv)
{
  g_auto (CommonOptions) options = { 0 };
  g_auto (AdminTill) till = { 0 };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMember) member = NULL;
  g_autoptr (TillMemberSummary) summary = NULL;
  g_autofree char *registered = NULL;
  g_autofree char *last_visit = NULL;
  g_autofree char *spend = NULL;
  g_autofree char *visits = NULL;
  g_autofree char *points = NULL;
  g_autofree char *favourites = NULL;
  g_autofree char *tier = NULL;
  g_autofree char *coupon_codes = NULL;
  g_autoptr (GPtrArray) coupons = NULL;
  int status;

  context = g_option_context_new (_ ("PHONE|CARD|ID"));
  g_option_context_set_summary (context, _ ("A member’s record, spend, visits and points. "
                                            "Phone, name and birthday are masked unless the "
                                            "user may see members’ data."));
  add_common_entries (context, &options, TRUE);
  if (!parse_command (command, context, &argc, &argv, 1, 1, &status) ||
      !open_till (command->name, &options, &till, &status))
    return status;

  member = find_member (&till, argv[1], &error);
  summary = member != NULL ? till_loyalty_member_summary (till.store, member->id, &error) : NULL;
  if (summary == NULL)
    {
      print_failure (command->name, error);
      return EXIT_FAILED;
    }
  print_field (_ ("Member:"), member->id);
  print_field (_ ("Card:"), member->card_no);
  if (!print_personal (command->name, &till, member, &error))
    {
      print_failure (command->name, error);
      return EXIT_FAILED;
    }
  registered = format_time (member->registered_us);
  last_visit = format_time (summary->last_visit_us);
  spend = till_money_format_yuan (summary->spend);
  visits = g_strdup_printf ("%" G_GINT64_FORMAT, summary->visits);
  points = g_strdup_printf ("%" G_GINT64_FORMAT, summary->points);
  tier = describe_tier (till.store, member->tier);
  coupons = till_loyalty_member_coupons (till.store, member->id, &error);
  if (coupons == NULL)
    {
      print_failure (command->name, error);
      return EXIT_FAILED;
    }
  coupon_codes = describe_coupons (coupons);
  favourites = summary->favourite_categories != NULL
                   ? g_strjoinv ("、", summary->favourite_categories)
                   : g_strdup ("");
  print_field (_ ("Tier:"), tier);
  print_field (_ ("Registered:"), registered);
  print_field (_ ("Store:"), member->store_id);
  print_field (_ ("Marketing messages:"), member->opt_out ? _ ("no (opted out)") : _ ("yes"));
  print_field (_ ("Spend:"), spend);
  print_field (_ ("Visits:"), visits);
  print_field (_ ("Last visit:"), last_visit);
  print_field (_ ("Points:"), points);
  print_field (_ ("Coupons:"), coupon_codes);
  print_field (_ ("Favourite categories:"), favourites);
  return EXIT_OK;
}

static int
run_export (const MembersCommand *command, int argc, char **argv)
{
  g_auto (CommonOptions) options = { 0 };
  g_auto (AdminTill) till = { 0 };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMember) member = NULL;
  g_autofree char   *out_path = NULL;
  g_autofree char   *document = NULL;
  int                status;
  const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path,
      N_ ("Write the document to FILE (readable by its owner only) instead of standard output"),
      N_ ("FILE") },
    { NULL },
  };

  context = g_option_context_new (_ ("PHONE|CARD|ID"));
  g_option_context_set_summary (context, _ ("Everything the till holds on one member, as one "
                                            "JSON document, for the member’s request under "
                                            "PIPL. The export is journaled."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_common_entries (context, &options, TRUE);
  if (!parse_command (command, context, &argc, &argv, 1, 1, &status) ||
      !open_till (command->name, &options, &till, &status))
    return status;

  member = find_member (&till, argv[1], &error);
  if (member != NULL)
    document = till_member_export (till.store, till.journal, till.key, till.user,
                                   admin_till_override (&till), member->id, &error);
  if (document == NULL || (out_path != NULL && !write_private_file (out_path, document, &error)))
    {
      print_failure (command->name, error);
      status = EXIT_FAILED;
    }
  else if (out_path == NULL)
    {
      g_print ("%s\n", document);
      status = EXIT_OK;
    }
  else
    {
      g_printerr (_ ("Member %s exported to %s\n"), member->id, out_path);
      status = EXIT_OK;
    }
  /* The document holds the member's phone, name and birthday in plain. */
  if (document != NULL)
    memset (document, 0, strlen (document));
  return status;
}

static int
run_erase (const MembersCommand *command, int argc, char **argv)
{
  g_auto (CommonOptions) options = { 0 };
  g_auto (AdminTill) till = { 0 };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMember) member = NULL;
  gboolean           confirmed = FALSE;
  int                status;
  const GOptionEntry entries[] = {
    { "yes", 0, 0, G_OPTION_ARG_NONE, &confirmed,
      N_ ("Erase indeed (without it, the command only says what it would erase)"), NULL },
    { NULL },
  };

  context = g_option_context_new (_ ("PHONE|CARD|ID"));
  g_option_context_set_summary (context, _ ("Erases a member’s phone, name, birthday and card "
                                            "for the member’s request under PIPL; their sales "
                                            "and ledgers keep only the member’s id. This "
                                            "cannot be undone."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_common_entries (context, &options, TRUE);
  if (!parse_command (command, context, &argc, &argv, 1, 1, &status) ||
      !open_till (command->name, &options, &till, &status))
    return status;

  member = find_member (&till, argv[1], &error);
  if (member == NULL)
    {
      print_failure (command->name, error);
      return EXIT_FAILED;
    }
  if (member->erased)
    {
      g_printerr (_ ("opentill-admin members erase: member %s was erased already\n"), member->id);
      return EXIT_FAILED;
    }
  if (!confirmed)
    {
      g_printerr (_ ("opentill-admin members erase: this would erase the phone (%s), name (%s), "
                     "birthday and card number (%s) of member %s for good; their sales, points "
                     "and stored value keep only the id. Run it again with --yes to erase.\n"),
                  member->phone_masked, member->name_masked,
                  member->card_no != NULL ? member->card_no : _ ("none"), member->id);
      return EXIT_FAILED;
    }
  if (!till_member_erase (till.store, till.journal, till.user, admin_till_override (&till),
                          member->id, &error))
    {
      print_failure (command->name, error);
      return EXIT_FAILED;
    }
  g_print (_ ("Member %s erased: their phone, name, birthday and card are gone.\n"), member->id);
  return EXIT_OK;
}

static int
run_coupon (const MembersCommand *command, int argc, char **argv)
{
  g_auto (CommonOptions) options = { 0 };
  g_auto (AdminTill) till = { 0 };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMember) member = NULL;
  g_autoptr (TillMemberCoupon) coupon = NULL;
  g_autofree char   *coupon_reason = NULL;
  int                status;
  const GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &coupon_reason,
      N_ ("Why the member gets it (default: manual)"), N_ ("TEXT") },
    { NULL },
  };

  context = g_option_context_new (_ ("PHONE|CARD|ID PROMOTION"));
  g_option_context_set_summary (context, _ ("Issues a coupon of the coupon promotion PROMOTION "
                                            "to one member, under a code only they can use, "
                                            "once."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_common_entries (context, &options, FALSE);
  if (!parse_command (command, context, &argc, &argv, 2, 2, &status) ||
      !open_till (command->name, &options, &till, &status))
    return status;

  member = find_member (&till, argv[1], &error);
  if (member != NULL)
    coupon = till_loyalty_issue_coupon (till.store, till.journal, till.user, member->id, argv[2],
                                        coupon_reason != NULL ? coupon_reason : "manual", &error);
  if (coupon == NULL)
    {
      print_failure (command->name, error);
      return EXIT_FAILED;
    }
  /* The code alone on standard output, for scripts; the rest for people. */
  g_print ("%s\n", coupon->code);
  g_printerr (_ ("Coupon “%s” (%s) issued to member %s\n"), coupon->name, coupon->promotion,
              member->id);
  return EXIT_OK;
}

/* Every member's tier, by id, to tell what the upkeep changed. */
static GHashTable *
read_tiers (TillStore *store, GError **error)
{
  g_autoptr (GHashTable) tiers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, "SELECT id, tier FROM member WHERE erased_us IS NULL", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (tiers, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the members’ tiers"));
      return NULL;
    }
  return g_steal_pointer (&tiers);
}

static int
compare_ids_cb (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* Prints "ID 138****1234: gold → normal" for each member whose tier changed,
 * sorted by id. */
static gboolean
print_tier_changes (const AdminTill *till, GHashTable *before, GHashTable *after, GError **error)
{
  g_autofree gpointer *ids = g_hash_table_get_keys_as_array (after, NULL);

  g_qsort_with_data (ids, g_hash_table_size (after), sizeof (gpointer), compare_ids_cb, NULL);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *old_tier = g_hash_table_lookup (before, ids[i]);
      const char *new_tier = g_hash_table_lookup (after, ids[i]);
      g_autoptr (TillMember) member = NULL;

      if (g_strcmp0 (old_tier, new_tier) == 0)
        continue;
      member = till_member_load (till->store, till->key, ids[i], error);
      if (member == NULL)
        return FALSE;
      g_print (_ ("Tier changed: %s %s: %s → %s\n"), member->id, member->phone_masked,
               old_tier != NULL && *old_tier != '\0' ? old_tier : _ ("(none)"), new_tier);
    }
  return TRUE;
}

static int
run_daily (const MembersCommand *command, int argc, char **argv)
{
  g_auto (CommonOptions) options = { 0 };
  g_auto (AdminTill) till = { 0 };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) tiers_before = NULL;
  g_autoptr (GHashTable) tiers_after = NULL;
  g_autofree char *expired_text = NULL;
  g_autofree char *changed_text = NULL;
  gint64           now_us;
  gint64           expired;
  gint64           changed;
  int              status;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _ ("The daily loyalty upkeep the till runs itself: "
                                            "points past their date expire, every member’s "
                                            "tier is evaluated again, birthday coupons are "
                                            "issued."));
  add_common_entries (context, &options, FALSE);
  if (!parse_command (command, context, &argc, &argv, 0, 0, &status) ||
      !open_till (command->name, &options, &till, &status))
    return status;

  now_us = till_user_now (till.store);
  /* Expiring first tells how many points went; the upkeep's own expiry then
   * finds nothing left to do. */
  if ((tiers_before = read_tiers (till.store, &error)) == NULL ||
      (expired = till_loyalty_expire_points (till.store, NULL, now_us, &error)) < 0 ||
      (changed = till_loyalty_run_daily (till.store, till.journal, till.key, now_us, &error)) < 0 ||
      (tiers_after = read_tiers (till.store, &error)) == NULL)
    {
      print_failure (command->name, error);
      return EXIT_FAILED;
    }
  /* The counts as text: a size format inside a message would not translate. */
  expired_text = g_strdup_printf ("%" G_GINT64_FORMAT, expired);
  changed_text = g_strdup_printf ("%" G_GINT64_FORMAT, changed);
  g_print (
      g_dngettext (GETTEXT_PACKAGE, "%s point expired\n", "%s points expired\n", (gulong) expired),
      expired_text);
  if (!print_tier_changes (&till, tiers_before, tiers_after, &error))
    {
      print_failure (command->name, error);
      return EXIT_FAILED;
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "%s member changed tier\n", "%s members changed tier\n",
                        (gulong) changed),
           changed_text);
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
  for (gsize i = 0; argc >= 2 && i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        /* The command sees itself as argv[0] for its --help. */
        g_autofree char *program = g_strconcat (argv[0], " ", commands[i].name, NULL);
        char            *saved = argv[1];
        int              status;

        argv[1] = program;
        status = commands[i].run (&commands[i], argc - 1, argv + 1);
        argv[1] = saved;
        return status;
      }
  print_usage (NULL);
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) ? EXIT_OK
                                                                                       : EXIT_USAGE;
}
