/* till-sync-test-util.c: a real HQ on loopback, tills, the fault proxy and
 * the set checker, for the end-to-end and fault suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sync-test"

#include "config.h"

#include "till-sync-test-util.h"

#include <errno.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hq-server.h"
#include "till-enroll.h"

/* HQ's documents, one row per (kind, ref_uuid): the table hq-store.c keeps
 * them in. */
#define HQ_DOCUMENT_REFS_SQL \
  "SELECT ref_uuid, count(*) FROM document WHERE kind = $1 GROUP BY ref_uuid"

static const struct
{
  const char *sku;
  const char *name;
  gint64      price;
} test_products[] = {
  { "T001", "康师傅红烧牛肉面", 450 }, { "T002", "农夫山泉 550ml", 200 },
  { "T003", "旺旺雪饼 84g", 680 },     { "T004", "伊利纯牛奶 250ml", 350 },
  { "T005", "德芙巧克力 43g", 1090 },
};

/* --- Child processes --------------------------------------------------------- */

char *
till_test_read_line (int fd, int timeout_ms)
{
  GString *line = g_string_new (NULL);
  gint64   deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64        left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      char          c;
      ssize_t       n;
      int           rc;

      if (left_ms <= 0)
        break;
      rc = poll (&pfd, 1, (int) left_ms);
      if (rc < 0 && errno == EINTR)
        continue;
      if (rc <= 0)
        break;
      n = read (fd, &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (c == '\n')
        return g_string_free (line, FALSE);
      g_string_append_c (line, c);
    }
  g_string_free (line, TRUE);
  return NULL;
}

/* Copies a child's output to our stderr until it closes, so that the child
 * never blocks on a full pipe and its log ends up in the test log. */
static gpointer
drain_thread (gpointer user_data)
{
  int  fd = GPOINTER_TO_INT (user_data);
  char buf[4096];

  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (write (STDERR_FILENO, buf, (size_t) n) < 0)
        break;
    }
  close (fd);
  return NULL;
}

static void
reap (GPid pid, int signal_no, int grace_ms)
{
  int status;

  if (pid <= 0)
    return;
  kill (pid, signal_no);
  for (int waited = 0; waited < grace_ms; waited += 10)
    {
      if (waitpid (pid, &status, WNOHANG) == pid)
        return;
      g_usleep (10000);
    }
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
}

/* --- HQ ------------------------------------------------------------------------ */

static gboolean
quit_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
till_test_hq_serve_main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqStore) store = NULL;
  g_autoptr (HqCa) ca = NULL;
  g_autoptr (HqServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  guint port;

  if (argc < 2 || !g_str_equal (argv[1], "--hq-serve"))
    return -1;
  if (argc != 5)
    {
      g_printerr ("usage: %s --hq-serve DIR LOCATION PORT\n", argv[0]);
      return 2;
    }
  store = hq_store_open (argv[3], &error);
  if (store != NULL)
    {
      g_autofree char *ca_dir = g_build_filename (argv[2], "ca", NULL);

      ca = hq_ca_open (ca_dir, NULL, &error);
    }
  if (ca != NULL)
    {
      server = hq_server_new (store, ca);
      port = hq_server_listen (server, "127.0.0.1", (guint) atoi (argv[4]), &error);
    }
  if (error != NULL)
    {
      g_printerr ("hq-serve: %s\n", error->message);
      return 1;
    }
  g_print ("listening on %s\n", hq_server_get_url (server));
  (void) port;

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_loop_cb, loop);
  g_unix_signal_add (SIGINT, quit_loop_cb, loop);
  g_main_loop_run (loop);
  hq_server_disconnect (server);
  return 0;
}

TillTestHq *
till_test_hq_new (const char *dir, const char *location, GError **error)
{
  TillTestHq *hq = g_new0 (TillTestHq, 1);

  hq->dir = g_strdup (dir);
  hq->location = location != NULL ? g_strdup (location) : g_build_filename (dir, "hq.db", NULL);
  hq->stdout_fd = -1;
  hq->store = hq_store_open (hq->location, error);
  /* The layout of opentill-hq's data directory: the CA in ca/. */
  if (hq->store != NULL)
    {
      g_autofree char *ca_dir = g_build_filename (dir, "ca", NULL);

      hq->ca = hq_ca_open (ca_dir, NULL, error);
    }
  if (hq->ca == NULL)
    {
      till_test_hq_free (hq);
      return NULL;
    }
  return hq;
}

/* The real opentill-hq, unless the suite asks for the in-process server or
 * the binary is not there. */
static char **
hq_server_argv (TillTestHq *hq, guint port)
{
  const char *binary = g_getenv ("OPENTILL_HQ");
  const char *mode = g_getenv ("OPENTILL_TEST_HQ");
  GPtrArray  *argv = g_ptr_array_new_with_free_func (g_free);

  if (binary != NULL && g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE) &&
      g_strcmp0 (mode, "self") != 0)
    {
      g_ptr_array_add (argv, g_strdup (binary));
      g_ptr_array_add (argv, g_strdup ("serve"));
      g_ptr_array_add (argv, g_strdup_printf ("--data=%s", hq->dir));
      g_ptr_array_add (argv, g_strdup_printf ("--db=%s", hq->location));
      g_ptr_array_add (argv, g_strdup ("--listen=127.0.0.1"));
      g_ptr_array_add (argv, g_strdup_printf ("--port=%u", port));
    }
  else
    {
      g_ptr_array_add (argv, g_file_read_link ("/proc/self/exe", NULL));
      g_ptr_array_add (argv, g_strdup ("--hq-serve"));
      g_ptr_array_add (argv, g_strdup (hq->dir));
      g_ptr_array_add (argv, g_strdup (hq->location));
      g_ptr_array_add (argv, g_strdup_printf ("%u", port));
    }
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

gboolean
till_test_hq_start (TillTestHq *hq, guint port, GError **error)
{
  g_auto (GStrv) argv = hq_server_argv (hq, port != 0 ? port : hq->port);
  g_autofree char *line = NULL;
  const char      *url;
  const char      *colon;

  g_return_val_if_fail (hq->pid == 0, FALSE);

  /* The port may still be held by the server just killed: retry briefly. */
  for (int attempt = 0; attempt < 50; attempt++)
    {
      g_clear_pointer (&line, g_free);
      if (!g_spawn_async_with_pipes (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                     &hq->pid, NULL, &hq->stdout_fd, NULL, error))
        return FALSE;
      line = till_test_read_line (hq->stdout_fd, 30000);
      if (line != NULL && strstr (line, "listening on ") != NULL)
        break;
      reap (hq->pid, SIGKILL, 0);
      hq->pid = 0;
      close (hq->stdout_fd);
      hq->stdout_fd = -1;
      g_usleep (100000);
    }
  if (hq->pid == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "HQ did not start: %s",
                   line != NULL ? line : "no output");
      return FALSE;
    }

  url = strstr (line, "https://");
  colon = url != NULL ? strrchr (url, ':') : NULL;
  if (colon == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "HQ said: %s", line);
      return FALSE;
    }
  hq->port = (guint) atoi (colon + 1);
  g_free (hq->url);
  hq->url = g_strdup_printf ("https://127.0.0.1:%u", hq->port);
  g_thread_unref (g_thread_new ("hq-output", drain_thread, GINT_TO_POINTER (hq->stdout_fd)));
  hq->stdout_fd = -1;
  return TRUE;
}

void
till_test_hq_kill (TillTestHq *hq)
{
  reap (hq->pid, SIGKILL, 0);
  hq->pid = 0;
}

void
till_test_hq_free (TillTestHq *hq)
{
  if (hq == NULL)
    return;
  reap (hq->pid, SIGTERM, 5000);
  g_clear_object (&hq->ca);
  g_clear_object (&hq->store);
  g_free (hq->dir);
  g_free (hq->location);
  g_free (hq->url);
  g_free (hq);
}

char *
till_test_hq_token (TillTestHq *hq, const char *store_id, guint till_no)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *secret = hq_store_create_enroll_token (
      hq->store, store_id, till_no, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC, &error);

  if (secret == NULL)
    g_error ("enroll token for %s/%u: %s", store_id, till_no, error->message);
  return g_strdup_printf ("%s.%s", secret, hq_ca_get_pin (hq->ca));
}

GHashTable *
till_test_hq_document_refs (TillTestHq *hq, const char *kind)
{
  g_autoptr (GError) error = NULL;
  HqDbValue params[] = { HQ_DB_V_TEXT (kind) };
  g_autoptr (HqDbRows) rows = hq_db_query (hq_store_get_db (hq->store), HQ_DOCUMENT_REFS_SQL,
                                           params, G_N_ELEMENTS (params), &error);
  GHashTable *refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (rows == NULL)
    g_error ("reading HQ's documents: %s", error->message);
  for (guint i = 0; i < hq_db_rows_get_n_rows (rows); i++)
    g_hash_table_insert (refs, g_strdup (hq_db_rows_get_text (rows, i, 0)),
                         GINT_TO_POINTER ((int) hq_db_rows_get_int (rows, i, 1)));
  return refs;
}

/* --- Tills --------------------------------------------------------------------- */

static TillTestTill *
till_open_files (const char *dir, GError **error)
{
  TillTestTill *till = g_new0 (TillTestTill, 1);

  till->dir = g_strdup (dir);
  till->db_path = g_build_filename (dir, "till.db", NULL);
  till->key_path = g_build_filename (dir, "journal.key", NULL);
  till->store = till_store_open (till->db_path, error);
  if (till->store == NULL)
    goto fail;
  till->catalog = till_catalog_new (till->store);
  till->journal = till_journal_new (till->store, till->key_path, error);
  if (till->journal == NULL)
    goto fail;
  return till;

fail:
  till_test_till_close (till);
  return NULL;
}

static gboolean
till_finish_open (TillTestTill *till, GError **error)
{
  g_autoptr (TillSyncIdentity) identity = NULL;

  till->cashier = till_user_authenticate (till->store, "1001", "1234", error);
  if (till->cashier == NULL)
    return FALSE;
  till->cart = till_cart_new (till->store, till->catalog);
  if (!till_cart_restore (till->cart, error))
    return FALSE;
  identity = till_sync_identity_load (till->store, NULL);
  if (identity != NULL)
    {
      till->till_id = g_strdup (identity->till_id);
      till->store_id = g_strdup (identity->store_id);
    }
  return TRUE;
}

TillTestTill *
till_test_till_new (const char *dir, GError **error)
{
  TillTestTill *till;

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", dir,
                   g_strerror (errno));
      return NULL;
    }
  till = till_open_files (dir, error);
  if (till == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (test_products); i++)
    {
      TillProductSpec spec = {
        .sku = test_products[i].sku,
        .name = test_products[i].name,
        .unit = "个",
        .price = test_products[i].price,
        .cost = test_products[i].price / 2,
        .vat_rate = 1300,
        .active = TRUE,
      };

      if (till_catalog_add_product (till->catalog, &spec, error) <= 0)
        goto fail;
    }
  if (till_user_create (till->store, "1001", "张三", TILL_ROLE_CASHIER, "1234", error) <= 0)
    goto fail;
  if (!till_finish_open (till, error))
    goto fail;
  return till;

fail:
  till_test_till_close (till);
  return NULL;
}

TillTestTill *
till_test_till_open (const char *dir, GError **error)
{
  TillTestTill *till = till_open_files (dir, error);

  if (till != NULL && !till_finish_open (till, error))
    g_clear_pointer (&till, till_test_till_close);
  return till;
}

void
till_test_till_close (TillTestTill *till)
{
  if (till == NULL)
    return;
  g_clear_object (&till->cart);
  g_clear_object (&till->cashier);
  g_clear_object (&till->journal);
  g_clear_object (&till->catalog);
  g_clear_object (&till->store);
  g_free (till->dir);
  g_free (till->db_path);
  g_free (till->key_path);
  g_free (till->till_id);
  g_free (till->store_id);
  g_free (till);
}

gboolean
till_test_till_enroll (TillTestTill *till, const char *url, const char *token, GError **error)
{
  g_autoptr (TillSyncIdentity) identity =
      till_enroll (till->store, till->journal, url, token, till->dir, error);

  if (identity == NULL)
    return FALSE;
  g_free (till->till_id);
  g_free (till->store_id);
  till->till_id = g_strdup (identity->till_id);
  till->store_id = g_strdup (identity->store_id);
  return TRUE;
}

static gint64
product_id_for_sku (TillTestTill *till, const char *sku)
{
  return till_test_till_query_int (till, "SELECT coalesce (max (id), 0) FROM product WHERE sku = ?",
                                   sku);
}

static gboolean
add_sku (TillTestTill *till, const char *sku, gint64 quantity, GError **error)
{
  g_autoptr (TillProduct) product = NULL;
  gint64 id = product_id_for_sku (till, sku);

  if (id == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no product %s at the till", sku);
      return FALSE;
    }
  product = till_catalog_lookup_id (till->catalog, id, error);
  return product != NULL && till_cart_add_product (till->cart, product, quantity, error) != NULL;
}

static TillSale *
commit_cash (TillTestTill *till, GError **error)
{
  /* Exact cash: no change, whatever the total. */
  return till_sale_commit_cash (till->cart, till->journal, till->cashier,
                                till_cart_get_total (till->cart), error);
}

gboolean
till_test_till_sell (TillTestTill *till, guint n, guint seed, GError **error)
{
  for (guint i = 0; i < n; i++)
    {
      guint k = i + seed;
      g_autoptr (TillSale) sale = NULL;

      if (!add_sku (till, test_products[k % 5].sku, 1000 * (1 + k % 3), error))
        return FALSE;
      if (k % 4 == 0 && !add_sku (till, test_products[(k / 5 + 2) % 5].sku, 1000, error))
        return FALSE;
      sale = commit_cash (till, error);
      if (sale == NULL)
        return FALSE;
    }
  return TRUE;
}

char *
till_test_till_sell_sku (TillTestTill *till, const char *sku, GError **error)
{
  g_autoptr (TillSale) sale = NULL;

  if (!add_sku (till, sku, 1000, error))
    return NULL;
  sale = commit_cash (till, error);
  return sale != NULL ? g_strdup (till_sale_get_uuid (sale)) : NULL;
}

gboolean
till_test_till_sync (TillTestTill *till, guint timeout_s, guint *out_pushed, GError **error)
{
  g_autoptr (TillSyncClient) client =
      till_sync_client_new_for_store (till->store, timeout_s, error);
  guint pushed = 0;

  if (client == NULL)
    return FALSE;
  if (!till_sync_run (till->store, till->journal, client, &pushed, error))
    return FALSE;
  if (out_pushed != NULL)
    *out_pushed = pushed;
  return TRUE;
}

gint64
till_test_till_pending (TillTestTill *till)
{
  return till_test_till_query_int (till, "SELECT count(*) FROM outbox WHERE state <> 'acked'",
                                   NULL);
}

gboolean
till_test_till_drain (TillTestTill *till, guint max_rounds, GError **error)
{
  g_autoptr (GError) last_error = NULL;

  for (guint round = 0; round < max_rounds; round++)
    {
      g_clear_error (&last_error);
      if (!till_test_till_sync (till, 30, NULL, &last_error))
        g_usleep (100000);
      if (till_test_till_pending (till) == 0)
        return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               "%" G_GINT64_FORMAT " documents still queued after %u rounds (last error: %s)",
               till_test_till_pending (till), max_rounds,
               last_error != NULL ? last_error->message : "none");
  return FALSE;
}

gint64
till_test_till_query_int (TillTestTill *till, const char *sql, const char *text_arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  if (sqlite3_prepare_v2 (till_store_get_db (till->store), sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (till_store_get_db (till->store)));
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* --- The fault proxy ---------------------------------------------------------- */

TillTestProxy *
till_test_proxy_start (guint upstream_port, GError **error)
{
  const char      *binary = g_getenv ("OPENTILL_FAULT_PROXY");
  g_autofree char *port_text = g_strdup_printf ("%u", upstream_port);
  const char      *argv[] = { binary, "0", port_text, NULL };
  g_autofree char *line = NULL;
  TillTestProxy   *proxy;

  if (binary == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "OPENTILL_FAULT_PROXY is not set");
      return NULL;
    }
  proxy = g_new0 (TillTestProxy, 1);
  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &proxy->pid, &proxy->stdin_fd, &proxy->stdout_fd, NULL, error))
    {
      g_free (proxy);
      return NULL;
    }
  line = till_test_read_line (proxy->stdout_fd, 10000);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the proxy said: %s",
                   line != NULL ? line : "nothing");
      till_test_proxy_free (proxy);
      return NULL;
    }
  proxy->port = (guint) atoi (line + strlen ("listening on "));
  proxy->url = g_strdup_printf ("https://127.0.0.1:%u", proxy->port);
  return proxy;
}

gboolean
till_test_proxy_set (TillTestProxy *proxy, const char *command)
{
  g_autofree char *request = g_strdup_printf ("%s\n", command);
  g_autofree char *expected = g_strdup_printf ("ok %s", command);

  if (write (proxy->stdin_fd, request, strlen (request)) != (ssize_t) strlen (request))
    return FALSE;
  for (;;)
    {
      g_autofree char *line = till_test_read_line (proxy->stdout_fd, 10000);

      if (line == NULL)
        return FALSE;
      if (g_str_equal (line, expected))
        return TRUE;
      if (g_str_has_prefix (line, "error "))
        return FALSE;
    }
}

void
till_test_proxy_free (TillTestProxy *proxy)
{
  if (proxy == NULL)
    return;
  if (proxy->stdin_fd >= 0)
    close (proxy->stdin_fd);
  reap (proxy->pid, SIGKILL, 0);
  if (proxy->stdout_fd >= 0)
    close (proxy->stdout_fd);
  g_free (proxy->url);
  g_free (proxy);
}

/* --- The set checker ------------------------------------------------------------ */

typedef struct
{
  gint64 quantity;
  gint64 amount;
} Cell;

static gboolean
read_till (
    const char *db_path, const char *store_id, GHashTable *made, GHashTable *cells, GError **error)
{
  g_autofree char *uri = g_strdup_printf ("file:%s?mode=ro", db_path);
  sqlite3         *db = NULL;
  sqlite3_stmt    *stmt = NULL;
  gboolean         ok = FALSE;
  int              rc;

  /* A reader beside the till's own connection: WAL lets it look without
   * getting in the way. */
  rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  if (rc != SQLITE_OK)
    goto out;
  sqlite3_busy_timeout (db, 5000);

  rc = sqlite3_prepare_v2 (db, "SELECT uuid FROM sale", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (made, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    goto out;
  sqlite3_finalize (stmt);

  rc = sqlite3_prepare_v2 (db,
                           "SELECT s.business_day, l.sku, sum (l.quantity), sum (l.amount) "
                           "FROM sale s JOIN sale_line l ON l.sale_uuid = s.uuid "
                           "GROUP BY s.business_day, l.sku",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      char *key = g_strdup_printf ("%s|%s|%s", store_id, sqlite3_column_text (stmt, 0),
                                   sqlite3_column_text (stmt, 1));
      Cell *cell = g_hash_table_lookup (cells, key);

      if (cell == NULL)
        {
          cell = g_new0 (Cell, 1);
          g_hash_table_insert (cells, key, cell);
        }
      else
        g_free (key);
      cell->quantity += sqlite3_column_int64 (stmt, 2);
      cell->amount += sqlite3_column_int64 (stmt, 3);
    }
  ok = rc == SQLITE_DONE;

out:
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "reading %s: %s", db_path,
                 db != NULL ? sqlite3_errmsg (db) : "cannot open");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ok;
}

gboolean
till_test_check_sets (TillTestHq        *hq,
                      const char *const *db_paths,
                      const char *const *store_ids,
                      guint              n_tills,
                      TillTestSetResult *out,
                      GError           **error)
{
  g_autoptr (GHashTable) made = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) refs = NULL;
  g_autoptr (HqDbRows) rollups = NULL;
  GHashTableIter iter;
  gpointer       key, value;

  memset (out, 0, sizeof *out);
  for (guint i = 0; i < n_tills; i++)
    if (!read_till (db_paths[i], store_ids[i], made, cells, error))
      return FALSE;

  refs = till_test_hq_document_refs (hq, "sale");
  out->made = g_hash_table_size (made);
  g_hash_table_iter_init (&iter, refs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 copies = GPOINTER_TO_INT (value);

      if (g_hash_table_contains (made, key))
        out->delivered++;
      else
        out->unexpected++;
      out->doubled += copies - 1;
    }
  out->lost = out->made - out->delivered;

  /* The roll-ups against the tills' own sums, cell by cell. */
  rollups = hq_store_report_products (hq->store, NULL, NULL, NULL, error);
  if (rollups == NULL)
    return FALSE;
  for (guint r = 0; r < hq_db_rows_get_n_rows (rollups); r++)
    {
      g_autofree char *cell_key = g_strdup_printf ("%s|%s|%s", hq_db_rows_get_text (rollups, r, 0),
                                                   hq_db_rows_get_text (rollups, r, 1),
                                                   hq_db_rows_get_text (rollups, r, 2));
      Cell            *cell = g_hash_table_lookup (cells, cell_key);
      gint64           quantity = hq_db_rows_get_int (rollups, r, 4);
      gint64           amount = hq_db_rows_get_int (rollups, r, 5);

      if (cell == NULL)
        {
          if (quantity != 0 || amount != 0)
            out->rollup_over++;
          continue;
        }
      if (quantity > cell->quantity || amount > cell->amount)
        out->rollup_over++;
      else if (quantity < cell->quantity || amount < cell->amount)
        out->rollup_under++;
      g_hash_table_remove (cells, cell_key);
    }
  /* Cells the tills sold that HQ never rolled up. */
  out->rollup_under += g_hash_table_size (cells);
  out->doubled += out->rollup_over;
  return TRUE;
}

void
till_test_print_sets (const char *case_name, const TillTestSetResult *result)
{
  g_print ("faults: %s made=%" G_GINT64_FORMAT " delivered=%" G_GINT64_FORMAT
           " lost=%" G_GINT64_FORMAT " doubled=%" G_GINT64_FORMAT "\n",
           case_name, result->made, result->delivered, result->lost, result->doubled);
  if (result->unexpected != 0 || result->rollup_under != 0)
    g_print ("faults: %s unexpected=%" G_GINT64_FORMAT " rollup_under=%" G_GINT64_FORMAT "\n",
             case_name, result->unexpected, result->rollup_under);
}
