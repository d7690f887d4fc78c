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
    gboolean    opt_out;
  } people[] = {
    { "13812341234", "王, 小丽", "gold", FALSE },
    { "13912345678", "张伟", "silver", FALSE },
    { "13700001111", "李娜", "gold", TRUE },
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

static gint64
count_exports (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT count(*) FROM journal "
                                        "WHERE kind = 'member-list-export'",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
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
