/* test-admin-members.c: tests for src/admin/till-admin-members.c, run as the
 * program store IT runs, with a marketing webhook on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/wait.h>

#include "till-core.h"
#include "till-test-util.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

static const char *admin_path;
static char       *scratch;
static char       *db_path;
static char       *gold_id;
static char       *silver_id;
static char       *opted_out_id;

/* What the webhook received. */
typedef struct
{
  guint   status; /* what it answers */
  guint   n_requests;
  char   *method;
  char   *path;
  char   *content_type;
  GBytes *body;
} Webhook;

/* A store with two users, three members (gold, silver, and gold but opted
 * out) and its keys beside it, closed again for the admin to open. */
static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillMemberKey) key = NULL;
  g_autoptr (TillUser) cashier = NULL;
  g_autofree char *journal_key = NULL;
  g_autofree char *member_key = NULL;
  const struct
  {
    const char *phone;
    const char *name;
    const char *tier;
    const char *card_no;
    const char *birthday;
    gboolean    opt_out;
  } people[] = {
    { "13812341234", "王, 小丽", "gold", NULL, "1990-05-17", FALSE },
    { "13912345678", "张伟", "silver", "M0002", NULL, FALSE },
    { "13700001111", "李娜", "gold", NULL, NULL, TRUE },
  };

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  journal_key = g_build_filename (scratch, "till.key", NULL);
  member_key = g_build_filename (scratch, "member.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, journal_key, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  key = till_member_key_load_or_create (member_key, &error);
  ck_assert_msg (key != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) > 0);
  ck_assert (till_user_create (store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
  for (gsize i = 0; i < G_N_ELEMENTS (people); i++)
    {
      TillMemberSpec spec = {
        .phone = people[i].phone,
        .name = people[i].name,
        .birthday = people[i].birthday,
        .card_no = people[i].card_no,
        .opt_out = people[i].opt_out,
      };
      g_autoptr (TillMember) member =
          till_member_register (store, journal, key, cashier, &spec, &error);

      ck_assert_msg (member != NULL, "%s", error ? error->message : "");
      ck_assert (till_member_set_tier (store, member->id, people[i].tier, &error));
      if (i == 0)
        gold_id = g_strdup (member->id);
      else if (i == 1)
        silver_id = g_strdup (member->id);
      else
        opted_out_id = g_strdup (member->id);
    }
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&gold_id, g_free);
  g_clear_pointer (&silver_id, g_free);
  g_clear_pointer (&opted_out_id, g_free);
}

typedef struct
{
  gboolean done;
  int      status;
  char    *out;
  char    *err;
} AdminRun;

static void
communicate_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AdminRun *run = user_data;
  g_autoptr (GError) error = NULL;
  GSubprocess *process = G_SUBPROCESS (source);

  ck_assert_msg (
      g_subprocess_communicate_utf8_finish (process, result, &run->out, &run->err, &error), "%s",
      error ? error->message : "");
  run->status = g_subprocess_get_exit_status (process);
  run->done = TRUE;
}

/* Runs opentill-admin with @args (NULL-terminated) while this thread's main
 * context serves the webhook; returns its exit status. */
static int
run_admin (char **out_stdout, char **out_stderr, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  AdminRun    run = { 0 };
  const char *arg;
  va_list     args;

  g_ptr_array_add (argv, (char *) admin_path);
  va_start (args, out_stderr);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process =
      g_subprocess_newv ((const char *const *) argv->pdata,
                         G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  ck_assert_msg (process != NULL, "%s", error ? error->message : "");
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_msg (g_subprocess_get_if_exited (process), "opentill-admin did not exit: %s", run.err);
  *out_stdout = run.out;
  *out_stderr = run.err;
  return run.status;
}

static void
webhook_cb (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Webhook            *webhook = user_data;
  SoupMessageBody    *body = soup_server_message_get_request_body (message);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  g_autoptr (GBytes) flattened = soup_message_body_flatten (body);

  webhook->n_requests++;
  g_free (webhook->method);
  webhook->method = g_strdup (soup_server_message_get_method (message));
  g_free (webhook->path);
  webhook->path = g_strdup (path);
  g_free (webhook->content_type);
  webhook->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  g_clear_pointer (&webhook->body, g_bytes_unref);
  webhook->body = g_bytes_ref (flattened);
  soup_server_message_set_status (message, webhook->status, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

static void
webhook_clear (Webhook *webhook)
{
  g_clear_pointer (&webhook->method, g_free);
  g_clear_pointer (&webhook->path, g_free);
  g_clear_pointer (&webhook->content_type, g_free);
  g_clear_pointer (&webhook->body, g_bytes_unref);
}

/* A webhook on a free loopback port; its URL in @out_url. */
static SoupServer *
start_webhook (Webhook *webhook, char **out_url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSList) uris = NULL;
  SoupServer *server = soup_server_new (NULL, NULL);

  soup_server_add_handler (server, "/hooks/marketing", webhook_cb, webhook, NULL);
  ck_assert_msg (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error), "%s",
                 error ? error->message : "");
  uris = soup_server_get_uris (server);
  ck_assert_ptr_nonnull (uris);
  *out_url = g_strdup_printf ("http://127.0.0.1:%d/hooks/marketing", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return server;
}

/* How many journal entries of @kind the till holds. */
static gint64
count_journal (const char *kind)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT count(*) FROM journal WHERE kind = ?", -1, &stmt,
                                        NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
count_exports (void)
{
  return count_journal ("member-list-export");
}

/* /admin/members/csv-full: a manager writes the full list to a file only
 * its owner may read; the export is journaled. */
START_TEST (test_csv_full)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *csv_path = g_build_filename (scratch, "gold.csv", NULL);
  g_autofree char *csv = NULL;
  g_autofree char *expected = NULL;
  GStatBuf         info;
  int              status;

  status = run_admin (&out, &err, "members", "list", "tier", "gold", "--db", db_path, "--csv",
                      csv_path, "--user", "9001", "--pin", "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  ck_assert (g_file_get_contents (csv_path, &csv, NULL, NULL));
  expected = g_strdup_printf ("id,phone,name,tier,last_visit\r\n"
                              "%s,13812341234,\"王, 小丽\",gold,\r\n",
                              gold_id);
  ck_assert_str_eq (csv, expected);
  ck_assert_int_eq (g_stat (csv_path, &info), 0);
  ck_assert_int_eq (info.st_mode & 0777, 0600);
  ck_assert_int_eq (count_exports (), 1);
}
END_TEST

/* /admin/members/stdout-masked: a cashier's list, on standard output, is
 * masked, with a note saying so; nothing is journaled. */
START_TEST (test_stdout_masked)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  int              status;

  status = run_admin (&out, &err, "members", "list", "tier", "silver", "--db", db_path, "--user",
                      "1001", "--pin", "1234", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  expected = g_strdup_printf ("id,phone,name,tier,last_visit\r\n%s,139****5678,张*,silver,\r\n",
                              silver_id);
  ck_assert_str_eq (out, expected);
  ck_assert_ptr_nonnull (strstr (err, "1001"));
  ck_assert_int_eq (count_exports (), 0);
}
END_TEST

/* /admin/members/webhook: the JSON list is POSTed to the webhook. */
START_TEST (test_webhook)
{
  Webhook webhook = { .status = 200 };
  g_autoptr (SoupServer) server = NULL;
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *body = NULL;
  int              status;

  server = start_webhook (&webhook, &url);
  status = run_admin (&out, &err, "members", "list", "tier", "gold", "--db", db_path, "--webhook",
                      url, "--user", "9001", "--pin", "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  ck_assert_uint_eq (webhook.n_requests, 1);
  ck_assert_str_eq (webhook.method, "POST");
  ck_assert_str_eq (webhook.path, "/hooks/marketing");
  ck_assert_str_eq (webhook.content_type, "application/json");
  body = g_strndup (g_bytes_get_data (webhook.body, NULL), g_bytes_get_size (webhook.body));
  expected = g_strdup_printf ("{\"list\":\"tier-gold\",\"members\":[{\"id\":\"%s\","
                              "\"phone\":\"13812341234\",\"name\":\"王, 小丽\","
                              "\"tier\":\"gold\"}]}",
                              gold_id);
  ck_assert_str_eq (body, expected);
  /* Nothing on standard output when the list goes to the webhook. */
  ck_assert_str_eq (out, "");
  ck_assert_int_eq (count_exports (), 1);
  webhook_clear (&webhook);
}
END_TEST

/* /admin/members/webhook-refuses: a non-2xx answer fails the command and
 * names the status. */
START_TEST (test_webhook_refuses)
{
  Webhook webhook = { .status = 503 };
  g_autoptr (SoupServer) server = NULL;
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  server = start_webhook (&webhook, &url);
  status = run_admin (&out, &err, "members", "list", "tier", "gold", "--db", db_path, "--webhook",
                      url, "--user", "9001", "--pin", "9999", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_uint_eq (webhook.n_requests, 1);
  ck_assert_msg (strstr (err, "503") != NULL, "%s", err);
  webhook_clear (&webhook);
}
END_TEST

/* /admin/members/webhook-unreachable: nobody listening is an error too. */
START_TEST (test_webhook_unreachable)
{
  Webhook          webhook = { .status = 200 };
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  {
    /* A port that was free a moment ago. */
    g_autoptr (SoupServer) server = start_webhook (&webhook, &url);
  }
  status = run_admin (&out, &err, "members", "list", "tier", "gold", "--db", db_path, "--webhook",
                      url, "--user", "9001", "--pin", "9999", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_uint_eq (webhook.n_requests, 0);
  webhook_clear (&webhook);
}
END_TEST

/* /admin/members/refusals: a wrong PIN fails; a bad kind or argument, or no
 * user, is a usage error. */
START_TEST (test_refusals)
{
  struct
  {
    int         status;
    const char *args[12];
  } cases[] = {
    { EXIT_FAILED, { "tier", "gold", "--user", "9001", "--pin", "1111" } },
    { EXIT_USAGE, { "everyone", "--user", "9001", "--pin", "9999" } },
    { EXIT_USAGE, { "lapsed", "soon", "--user", "9001", "--pin", "9999" } },
    { EXIT_USAGE, { "bought-category", "NOSUCH", "--user", "9001", "--pin", "9999" } },
    { EXIT_USAGE, { "tier", "gold" } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr (GError) error = NULL;
      int wait_status = 0;

      g_ptr_array_add (argv, (char *) admin_path);
      g_ptr_array_add (argv, "members");
      g_ptr_array_add (argv, "list");
      g_ptr_array_add (argv, "--db");
      g_ptr_array_add (argv, db_path);
      for (gsize a = 0; cases[i].args[a] != NULL; a++)
        g_ptr_array_add (argv, (char *) cases[i].args[a]);
      g_ptr_array_add (argv, NULL);
      ck_assert (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &wait_status, &error));
      ck_assert_msg (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == cases[i].status,
                     "case %zu: wait status %d: %s", i, wait_status, err);
    }
  ck_assert_int_eq (count_exports (), 0);
}
END_TEST

static TillStore *
open_store (void)
{
  g_autoptr (GError) error = NULL;
  TillStore *store = till_store_open (db_path, &error);

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  return store;
}

static TillMemberKey *
open_member_key (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (scratch, "member.key", NULL);
  TillMemberKey   *key = till_member_key_load_or_create (path, &error);

  ck_assert_msg (key != NULL, "%s", error ? error->message : "");
  return key;
}

/* An "earn" entry of @points for @member_id, written @age_us ago, that
 * expires at @expires_us. */
static void
add_points (const char *member_id, gint64 points, gint64 age_us, gint64 expires_us)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = open_store ();
  gint64 now_us = g_get_real_time ();

  ck_assert (till_store_begin (store, &error));
  ck_assert_msg (_till_loyalty_add_points (store, member_id, "earn", points, expires_us, NULL, NULL,
                                           now_us - age_us, &error),
                 "%s", error ? error->message : "");
  ck_assert_msg (till_store_commit (store, &error), "%s", error ? error->message : "");
}

/* The value on the line of `members show` that starts with @label, or NULL
 * when there is no such line. */
static char *
field_value (const char *out, const char *label)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], label))
      return g_strstrip (g_strdup (lines[i] + strlen (label)));
  return NULL;
}

/* /admin/members/show-masked: a cashier sees the member masked, found by
 * phone, with spend, visits and points; nothing is opened or journaled. */
START_TEST (test_show_masked)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *name = NULL;
  g_autofree char *birthday = NULL;
  g_autofree char *points = NULL;
  g_autofree char *id = NULL;
  g_autofree char *tier = NULL;
  g_autofree char *expected_tier = NULL;
  int              status;

  {
    /* The tier with its name by the store's rules. */
    g_autoptr (GError) error = NULL;
    g_autoptr (TillStore) store = open_store ();
    g_autoptr (TillLoyaltyRules) rules = till_loyalty_rules_load (store, &error);
    const TillLoyaltyTier *gold;

    ck_assert_msg (rules != NULL, "%s", error ? error->message : "");
    gold = till_loyalty_rules_find_tier (rules, "gold");
    ck_assert_ptr_nonnull (gold);
    expected_tier = g_strdup_printf ("gold (%s)", gold->name);
  }
  add_points (gold_id, 120, 0, g_get_real_time () + 30 * G_TIME_SPAN_DAY);
  status = run_admin (&out, &err, "members", "show", "138 1234 1234", "--db", db_path, "--user",
                      "1001", "--pin", "1234", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  id = field_value (out, "Member:");
  phone = field_value (out, "Phone:");
  name = field_value (out, "Name:");
  birthday = field_value (out, "Birthday:");
  points = field_value (out, "Points:");
  tier = field_value (out, "Tier:");
  ck_assert_str_eq (id, gold_id);
  ck_assert_str_eq (phone, "138****1234");
  ck_assert_str_ne (name, "王, 小丽");
  ck_assert_str_eq (birthday, "**-**");
  ck_assert_str_eq (points, "120");
  ck_assert_str_eq (tier, expected_tier);
  ck_assert_ptr_null (strstr (out, "13812341234"));
  ck_assert_ptr_null (strstr (out, "1990"));
  ck_assert_msg (strstr (err, "masked") != NULL, "%s", err);
  ck_assert_int_eq (count_journal ("member-view"), 0);
}
END_TEST

/* /admin/members/show-full: a manager sees the full phone, name and
 * birthday, and the opening is journaled; found by card and by id too. */
START_TEST (test_show_full)
{
  const char      *codes[] = { "13812341234", gold_id };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *id = NULL;
  int              status;

  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *birthday = NULL;

      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_clear_pointer (&phone, g_free);
      status = run_admin (&out, &err, "members", "show", codes[i], "--db", db_path, "--user",
                          "9001", "--pin", "9999", NULL);
      ck_assert_msg (status == 0, "status %d: %s", status, err);
      phone = field_value (out, "Phone:");
      name = field_value (out, "Name:");
      birthday = field_value (out, "Birthday:");
      ck_assert_str_eq (phone, "13812341234");
      ck_assert_str_eq (name, "王, 小丽");
      ck_assert_str_eq (birthday, "1990-05-17");
      ck_assert_ptr_null (strstr (err, "masked"));
    }
  ck_assert_int_eq (count_journal ("member-view"), 2);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&phone, g_free);
  status = run_admin (&out, &err, "members", "show", "M0002", "--db", db_path, "--user", "9001",
                      "--pin", "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  id = field_value (out, "Member:");
  phone = field_value (out, "Phone:");
  ck_assert_str_eq (id, silver_id);
  ck_assert_str_eq (phone, "13912345678");
}
END_TEST

/* /admin/members/show-supervisor: a cashier with a supervisor's approval
 * sees the full data; a wrong supervisor PIN is refused with the core's
 * message. */
START_TEST (test_show_supervisor)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *phone = NULL;
  int              status;

  status = run_admin (&out, &err, "members", "show", "13812341234", "--db", db_path, "--user",
                      "1001", "--pin", "1234", "--supervisor", "9001", "--supervisor-pin", "9999",
                      "--reason", "会员本人查询", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  phone = field_value (out, "Phone:");
  ck_assert_str_eq (phone, "13812341234");
  ck_assert_int_eq (count_journal ("member-view"), 1);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (&out, &err, "members", "show", "13812341234", "--db", db_path, "--user",
                      "1001", "--pin", "1234", "--supervisor", "9001", "--supervisor-pin", "0000",
                      "--reason", "会员本人查询", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_ptr_null (strstr (out, "13812341234"));
  ck_assert_msg (strstr (err, "opentill-admin members show: ") != NULL, "%s", err);
  ck_assert_int_eq (count_journal ("member-view"), 1);
}
END_TEST

/* /admin/members/export-file: a manager's export is a JSON document with
 * the opened personal data, in a file only its owner reads; journaled. */
START_TEST (test_export_file)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *path = g_build_filename (scratch, "export.json", NULL);
  g_autofree char *document = NULL;
  g_autofree char *id_field = g_strdup_printf ("\"id\":\"%s\"", gold_id);
  GStatBuf         info;
  int              status;

  add_points (gold_id, 75, 0, 0);
  status = run_admin (&out, &err, "members", "export", "13812341234", "--out", path, "--db",
                      db_path, "--user", "9001", "--pin", "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  ck_assert_str_eq (out, "");
  ck_assert (g_file_get_contents (path, &document, NULL, NULL));
  ck_assert (g_str_has_prefix (document, "{"));
  ck_assert (g_str_has_suffix (document, "}"));
  ck_assert_ptr_nonnull (strstr (document, id_field));
  ck_assert_ptr_nonnull (strstr (document, "\"phone\":\"13812341234\""));
  ck_assert_ptr_nonnull (strstr (document, "\"name\":\"王, 小丽\""));
  ck_assert_ptr_nonnull (strstr (document, "\"birthday\":\"1990-05-17\""));
  ck_assert_ptr_nonnull (strstr (document, "\"points\":75"));
  ck_assert_int_eq (g_stat (path, &info), 0);
  ck_assert_int_eq (info.st_mode & 0777, 0600);
  ck_assert_int_eq (count_journal ("member-export"), 1);
}
END_TEST

/* /admin/members/export-stdout: without --out the document goes to standard
 * output; a cashier is refused with the core's message and gets nothing. */
START_TEST (test_export_stdout)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id_field = g_strdup_printf ("\"id\":\"%s\"", silver_id);
  int              status;

  status = run_admin (&out, &err, "members", "export", "M0002", "--db", db_path, "--user", "9001",
                      "--pin", "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  ck_assert_ptr_nonnull (strstr (out, id_field));
  ck_assert_ptr_nonnull (strstr (out, "\"phone\":\"13912345678\""));
  ck_assert_int_eq (count_journal ("member-export"), 1);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (&out, &err, "members", "export", "M0002", "--db", db_path, "--user", "1001",
                      "--pin", "1234", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_str_eq (out, "");
  ck_assert_msg (g_str_has_prefix (err, "opentill-admin members export: "), "%s", err);
  ck_assert_int_eq (count_journal ("member-export"), 1);
}
END_TEST

/* /admin/members/erase: without --yes nothing is erased and the command
 * says what would be; with it the phone no longer finds anyone, and the
 * member is left as an id. */
START_TEST (test_erase)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillMemberKey) key = NULL;
  g_autoptr (TillMember) found = NULL;
  g_autoptr (TillMember) erased = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  status = run_admin (&out, &err, "members", "erase", "13812341234", "--db", db_path, "--user",
                      "9001", "--pin", "9999", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (strstr (err, "--yes") != NULL, "%s", err);
  ck_assert_msg (strstr (err, "138****1234") != NULL, "%s", err);
  ck_assert_msg (strstr (err, gold_id) != NULL, "%s", err);
  ck_assert_int_eq (count_journal ("member-erase"), 0);
  store = open_store ();
  key = open_member_key ();
  found = till_member_find_by_phone (store, key, "13812341234", &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  g_clear_object (&store);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (&out, &err, "members", "erase", "13812341234", "--yes", "--db", db_path,
                      "--user", "9001", "--pin", "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  ck_assert_int_eq (count_journal ("member-erase"), 1);

  store = open_store ();
  ck_assert_ptr_null (till_member_find_by_phone (store, key, "13812341234", &error));
  ck_assert (g_error_matches (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND));
  g_clear_error (&error);
  erased = till_member_load (store, key, gold_id, &error);
  ck_assert_msg (erased != NULL, "%s", error ? error->message : "");
  ck_assert (erased->erased);
  g_clear_object (&store);

  /* The command line finds no one by the phone either, but the id still. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (&out, &err, "members", "show", "13812341234", "--db", db_path, "--user",
                      "9001", "--pin", "9999", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (&out, &err, "members", "show", gold_id, "--db", db_path, "--user", "9001",
                      "--pin", "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  ck_assert_ptr_null (strstr (out, "13812341234"));

  /* Erased once is erased for good: a second erasure is refused. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (&out, &err, "members", "erase", gold_id, "--yes", "--db", db_path, "--user",
                      "9001", "--pin", "9999", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (strstr (err, "already") != NULL, "%s", err);
  ck_assert_int_eq (count_journal ("member-erase"), 1);
}
END_TEST

/* /admin/members/erase-refused: a cashier may not erase; nothing changes. */
START_TEST (test_erase_refused)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  status = run_admin (&out, &err, "members", "erase", "13912345678", "--yes", "--db", db_path,
                      "--user", "1001", "--pin", "1234", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (g_str_has_prefix (err, "opentill-admin members erase: "), "%s", err);
  ck_assert_int_eq (count_journal ("member-erase"), 0);
}
END_TEST

/* /admin/members/daily: the upkeep expires points past their date and
 * moves members without spend down to the entry tier, and says so. */
START_TEST (test_daily)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillMemberKey) key = NULL;
  g_autoptr (TillMember) gold = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *gold_line = NULL;
  gint64           now_us = g_get_real_time ();
  int              status;

  /* 50 points earned long ago, past their date; 30 still good. */
  add_points (gold_id, 50, 400 * G_TIME_SPAN_DAY, now_us - G_TIME_SPAN_DAY);
  add_points (gold_id, 30, G_TIME_SPAN_DAY, now_us + 30 * G_TIME_SPAN_DAY);
  status = run_admin (&out, &err, "members", "daily", "--db", db_path, "--user", "9001", "--pin",
                      "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  ck_assert_msg (strstr (out, "50 points expired\n") != NULL, "%s", out);

  store = open_store ();
  key = open_member_key ();
  ck_assert_int_eq (till_loyalty_points_balance (store, gold_id, &error), 30);
  gold = till_member_load (store, key, gold_id, &error);
  ck_assert_msg (gold != NULL, "%s", error ? error->message : "");
  /* No member has spent anything: everyone falls from gold or silver. */
  ck_assert_str_ne (gold->tier, "gold");
  gold_line = g_strdup_printf ("Tier changed: %s 138****1234: gold → %s\n", gold_id, gold->tier);
  ck_assert_msg (strstr (out, gold_line) != NULL, "%s", out);
  ck_assert_msg (strstr (out, silver_id) != NULL, "%s", out);
  ck_assert_msg (strstr (out, opted_out_id) != NULL, "%s", out);
  ck_assert_msg (strstr (out, "3 members changed tier\n") != NULL, "%s", out);
  g_clear_object (&store);

  /* A second run has nothing left to do. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (&out, &err, "members", "daily", "--db", db_path, "--user", "9001", "--pin",
                      "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  ck_assert_str_eq (out, "0 points expired\n0 members changed tier\n");
}
END_TEST

/* /admin/members/coupon: a member coupon of a coupon promotion is issued and
 * its code printed; the member holds it. */
START_TEST (test_coupon)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = open_store ();
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillUser) manager = NULL;
  g_autoptr (TillPromotion) promotion = NULL;
  g_autoptr (GPtrArray) coupons = NULL;
  g_autofree char  *journal_key = g_build_filename (scratch, "till.key", NULL);
  g_autofree char  *out = NULL;
  g_autofree char  *err = NULL;
  g_autofree char  *code = NULL;
  g_autofree char  *shown = NULL;
  g_autofree char  *expected_shown = NULL;
  TillMemberCoupon *held;
  int               status;

  journal = till_journal_new (store, journal_key, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  manager = till_user_authenticate (store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  promotion = till_promotion_new ("BDAY10", "生日券减10元", TILL_PROMOTION_COUPON);
  promotion->coupon_code = g_strdup ("SR10");
  promotion->amount_off = 1000;
  ck_assert_msg (till_promotion_save_local (store, journal, manager, NULL, promotion, &error), "%s",
                 error ? error->message : "");
  g_clear_object (&journal);
  g_clear_object (&store);

  status = run_admin (&out, &err, "members", "coupon", "13812341234", "BDAY10", "--reason",
                      "birthday", "--db", db_path, "--user", "9001", "--pin", "9999", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  code = g_strstrip (g_strdup (out));
  ck_assert_msg (g_str_has_prefix (code, "SR10-"), "%s", code);

  store = open_store ();
  coupons = till_loyalty_member_coupons (store, gold_id, &error);
  ck_assert_msg (coupons != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (coupons->len, 1);
  held = g_ptr_array_index (coupons, 0);
  ck_assert_str_eq (held->code, code);
  ck_assert_str_eq (held->promotion, "BDAY10");
  ck_assert_str_eq (held->reason, "birthday");
  g_clear_object (&store);

  /* `show` lists the coupon the member holds. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (&out, &err, "members", "show", "13812341234", "--db", db_path, "--user",
                      "1001", "--pin", "1234", NULL);
  ck_assert_msg (status == 0, "status %d: %s", status, err);
  shown = field_value (out, "Coupons:");
  expected_shown = g_strdup_printf ("%s (生日券减10元)", code);
  ck_assert_str_eq (shown, expected_shown);

  /* A promotion that does not exist issues nothing. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_admin (&out, &err, "members", "coupon", "13812341234", "NOSUCH", "--db", db_path,
                      "--user", "9001", "--pin", "9999", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_str_eq (out, "");
  ck_assert_msg (g_str_has_prefix (err, "opentill-admin members coupon: "), "%s", err);
}
END_TEST

/* /admin/members/command-refusals: the new commands need a user and the
 * right number of arguments (usage), and a member who exists (failure). */
START_TEST (test_command_refusals)
{
  struct
  {
    int         status;
    const char *args[12];
  } cases[] = {
    { EXIT_USAGE, { "show", "13812341234" } },
    { EXIT_USAGE, { "show", "--user", "9001", "--pin", "9999" } },
    { EXIT_FAILED, { "show", "13800000000", "--user", "9001", "--pin", "9999" } },
    { EXIT_FAILED, { "show", "13812341234", "--user", "9001", "--pin", "1111" } },
    { EXIT_USAGE, { "export", "13812341234", "extra", "--user", "9001", "--pin", "9999" } },
    { EXIT_FAILED, { "erase", "NOSUCHCARD", "--yes", "--user", "9001", "--pin", "9999" } },
    { EXIT_USAGE, { "coupon", "13812341234", "--user", "9001", "--pin", "9999" } },
    { EXIT_USAGE, { "daily", "now", "--user", "9001", "--pin", "9999" } },
    { EXIT_USAGE, { "daily" } },
    { EXIT_USAGE, { "nosuch", "--user", "9001", "--pin", "9999" } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr (GError) error = NULL;
      int wait_status = 0;

      g_ptr_array_add (argv, (char *) admin_path);
      g_ptr_array_add (argv, "members");
      for (gsize a = 0; cases[i].args[a] != NULL; a++)
        g_ptr_array_add (argv, (char *) cases[i].args[a]);
      g_ptr_array_add (argv, "--db");
      g_ptr_array_add (argv, db_path);
      g_ptr_array_add (argv, NULL);
      ck_assert (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &wait_status, &error));
      ck_assert_msg (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == cases[i].status,
                     "case %zu: wait status %d: %s", i, wait_status, err);
    }
  ck_assert_int_eq (count_journal ("member-erase"), 0);
}
END_TEST

static Suite *
admin_members_suite (void)
{
  Suite *suite = suite_create ("admin-members");
  struct
  {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "/admin/members/csv-full", test_csv_full },
    { "/admin/members/stdout-masked", test_stdout_masked },
    { "/admin/members/webhook", test_webhook },
    { "/admin/members/webhook-refuses", test_webhook_refuses },
    { "/admin/members/webhook-unreachable", test_webhook_unreachable },
    { "/admin/members/refusals", test_refusals },
    { "/admin/members/show-masked", test_show_masked },
    { "/admin/members/show-full", test_show_full },
    { "/admin/members/show-supervisor", test_show_supervisor },
    { "/admin/members/export-file", test_export_file },
    { "/admin/members/export-stdout", test_export_stdout },
    { "/admin/members/erase", test_erase },
    { "/admin/members/erase-refused", test_erase_refused },
    { "/admin/members/daily", test_daily },
    { "/admin/members/coupon", test_coupon },
    { "/admin/members/command-refusals", test_command_refusals },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_set_timeout (tcase, 60);
      tcase_add_checked_fixture (tcase, setup, teardown);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }
  return suite;
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: %s PATH-TO-OPENTILL-ADMIN\n", argv[0]);
      return 2;
    }
  admin_path = argv[1];
  return till_test_run_suite (admin_members_suite ());
}
