/* test-sync-client.c: tests for src/sync/till-sync-client.c and
 * src/sync/till-sync.c (one sync round) against a real HQ, and the
 * opentill-admin commands enroll, sync and sync-status
 *
 * HQ (libhq: HqStore on SQLite, HqCa, HqServer) runs in this process on a
 * thread of its own with its own GMainContext, because the client blocks;
 * the test keeps a second HqStore connection to set HQ up and to look at
 * what it holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "till-core.h"
#include "till-enroll.h"
#include "till-hq-thread.h"
#include "till-sync.h"
#include "till-test-util.h"

/* --- HQ on a thread -----------------------------------------------------------
 * tests/common/till-hq-thread.c serves it; the test keeps a connection of its
 * own to set HQ up and to look at what it holds. */

static TillHqThread *hq;
static HqStore      *hq_store; /* the test's own connection */

/* HQ in @dir/hq, with store S001 in group G1. */
static void
test_hq_start (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hq_dir = g_build_filename (dir, "hq", NULL);

  hq = till_hq_thread_start (hq_dir, NULL, 0, &error);
  ck_assert_msg (hq != NULL, "HQ did not start: %s", error ? error->message : "");
  hq_store = till_hq_thread_open_store (hq, &error);
  ck_assert_msg (hq_store != NULL && hq_store_put_group (hq_store, "G1", "华东区", &error) &&
                     hq_store_put_store (hq_store, "S001", "上海徐汇店", "G1", &error),
                 "%s", error ? error->message : "");
}

/* A fresh token "<secret>.<pin>" for till @till_no of S001. */
static char *
test_hq_token (guint till_no, gint64 valid_us)
{
  g_autoptr (GError) error = NULL;
  char *token = till_hq_thread_make_token (hq, "S001", till_no, valid_us, &error);

  ck_assert_msg (token != NULL, "%s", error ? error->message : "");
  return token;
}

/* --- The till ------------------------------------------------------------------- */

static char        *scratch;
static char        *till_dir;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillUser    *cashier;
static char        *till_id;

static const char *const local_skus[] = { "T001", "T002", "T003" };

static void
till_open (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
}

static void
till_close (void)
{
  g_clear_object (&cashier);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

static void
till_make_products (void)
{
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (local_skus); i++)
    {
      g_autofree char *name = g_strdup_printf ("本地商品 %zu 号", i + 1);
      TillProductSpec  spec = {
         .sku = local_skus[i],
         .name = name,
         .unit = "个",
         .price = 250 + 100 * (gint64) i,
         .cost = 100,
         .vat_rate = 1300,
         .active = TRUE,
      };

      ck_assert_msg (till_catalog_add_product (catalog, &spec, &error) > 0, "%s",
                     error ? error->message : "");
    }
  ck_assert (till_user_create (store, "1001", "张三", TILL_ROLE_CASHIER, "1234", &error) > 0);
}

static void
till_sign_in (void)
{
  g_autoptr (GError) error = NULL;

  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
}

/* @n cash sales of the local products; returns nothing, asserts each. */
static void
till_sell (guint n)
{
  g_autoptr (TillCart) cart = till_cart_new (store, catalog);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillProduct) product = NULL;
      g_autoptr (TillSale) sale = NULL;

      product = till_catalog_lookup_id (catalog, 1 + (i % G_N_ELEMENTS (local_skus)), &error);
      ck_assert_msg (product != NULL, "%s", error ? error->message : "");
      ck_assert_msg (till_cart_add_product (cart, product, 1000 * (1 + i % 2), &error) != NULL,
                     "%s", error ? error->message : "");
      sale = till_sale_commit_cash (cart, journal, cashier, 10000, &error);
      ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
    }
}

static TillOutboxStats
till_stats (void)
{
  g_autoptr (GError) error = NULL;
  TillOutboxStats stats = { 0 };

  ck_assert_msg (till_outbox_get_stats (store, &stats, &error), "%s", error ? error->message : "");
  return stats;
}

static gint64
till_pending (void)
{
  TillOutboxStats stats = till_stats ();
  gint64          pending = stats.pending;

  till_outbox_stats_clear (&stats);
  return pending;
}

static gint64
till_acked_through (void)
{
  g_autoptr (GError) error = NULL;
  gint64 acked = till_outbox_get_acked_through (store, &error);

  ck_assert_ptr_null (error);
  return acked;
}

static gint64
hq_sales (void)
{
  g_autoptr (GError) error = NULL;
  gint64 n = hq_store_count_documents (hq_store, "sale", till_id, &error);

  ck_assert_msg (n >= 0, "%s", error ? error->message : "");
  return n;
}

static void
till_enroll_at_hq (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = test_hq_token (1, (gint64) G_USEC_PER_SEC * 3600);
  g_autoptr (TillSyncIdentity) identity =
      till_enroll (store, journal, till_hq_thread_get_url (hq), token, till_dir, &error);

  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  till_id = g_strdup (identity->till_id);
}

static TillSyncClient *
make_client (void)
{
  g_autoptr (GError) error = NULL;
  TillSyncClient *client = till_sync_client_new_for_store (store, 30, &error);

  ck_assert_msg (client != NULL, "%s", error ? error->message : "");
  return client;
}

/* One till_sync_run; returns the documents pushed. */
static guint
sync_ok (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncClient) client = make_client ();
  guint pushed = 0;

  ck_assert_msg (till_sync_run (store, journal, client, &pushed, &error), "%s",
                 error ? error->message : "");
  return pushed;
}

static void
setup_dirs (void)
{
  scratch = till_test_make_tmpdir ();
  test_hq_start (scratch);
  till_dir = g_build_filename (scratch, "till", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (till_dir, 0700), 0);
  db_path = g_build_filename (till_dir, "till.db", NULL);
  key_path = g_build_filename (till_dir, "till.key", NULL);
}

static void
setup (void)
{
  setup_dirs ();
  till_open ();
  till_make_products ();
  till_sign_in ();
  till_enroll_at_hq ();
}

static void
teardown (void)
{
  till_close ();
  g_clear_object (&hq_store);
  g_clear_pointer (&hq, till_hq_thread_stop);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&till_dir, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
  g_clear_pointer (&till_id, g_free);
}

/* --- Push ------------------------------------------------------------------------- */

/* /sync/client/push: N sales reach HQ once each and are marked acked. */
START_TEST (test_push)
{
  TillOutboxStats stats;

  till_sell (7);
  ck_assert_int_eq (till_pending (), 7);
  ck_assert_int_eq (hq_sales (), 0);

  ck_assert_uint_eq (sync_ok (), 7);
  ck_assert_int_eq (hq_sales (), 7);
  stats = till_stats ();
  ck_assert_int_eq (stats.pending, 0);
  ck_assert_int_eq (stats.acked_through, 7);
  ck_assert_int_gt (stats.last_ack_us, 0);
  ck_assert_int_eq (stats.failing_seq, 0);
  till_outbox_stats_clear (&stats);

  /* Nothing pending: a second round pushes nothing. */
  ck_assert_uint_eq (sync_ok (), 0);
  ck_assert_int_eq (hq_sales (), 7);
}
END_TEST

/* /sync/client/push-many: more than one batch's worth goes in several
 * batches, in order. */
START_TEST (test_push_many)
{
  till_sell (TILL_WIRE_BATCH_MAX_ITEMS + 13);
  ck_assert_uint_eq (sync_ok (), TILL_WIRE_BATCH_MAX_ITEMS + 13);
  ck_assert_int_eq (hq_sales (), TILL_WIRE_BATCH_MAX_ITEMS + 13);
  ck_assert_int_eq (till_pending (), 0);
  ck_assert_int_eq (till_acked_through (), TILL_WIRE_BATCH_MAX_ITEMS + 13);
}
END_TEST

/* /sync/client/replay: the same batch sent twice comes back duplicate the
 * second time and changes nothing, at HQ or at the till. */
START_TEST (test_replay)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncClient) client = make_client ();
  g_autoptr (TillSyncIdentity) identity = till_sync_identity_load (store, &error);
  g_autoptr (TillSyncBatch) batch = NULL;
  g_autoptr (TillWireAck) first = NULL;
  g_autoptr (TillWireAck) second = NULL;
  gboolean progress = FALSE;

  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  till_sell (4);
  batch = till_sync_build_batch (store, journal, identity, g_get_real_time (), &error);
  ck_assert_msg (batch != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (batch->first_seq, 1);
  ck_assert_int_eq (batch->last_seq, 4);
  ck_assert_uint_eq (batch->n_items, 4);

  first = till_sync_client_push (client, batch->body, batch->signature, batch->key, &error);
  ck_assert_msg (first != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (first->acked_through, 4);
  ck_assert_uint_eq (first->items->len, 4);
  for (guint i = 0; i < first->items->len; i++)
    ck_assert_int_eq (g_array_index (first->items, TillWireItemResult, i).status,
                      TILL_WIRE_ITEM_OK);
  ck_assert_msg (
      till_sync_apply_ack (store, identity, batch, first, g_get_real_time (), &progress, &error),
      "%s", error ? error->message : "");
  ck_assert (progress);
  ck_assert_int_eq (hq_sales (), 4);
  ck_assert_int_eq (till_pending (), 0);

  /* The ack was lost, say: the till sends the very same bytes again. */
  second = till_sync_client_push (client, batch->body, batch->signature, batch->key, &error);
  ck_assert_msg (second != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (second->acked_through, 4);
  ck_assert_uint_eq (second->items->len, 4);
  for (guint i = 0; i < second->items->len; i++)
    ck_assert_int_eq (g_array_index (second->items, TillWireItemResult, i).status,
                      TILL_WIRE_ITEM_DUPLICATE);
  ck_assert_msg (
      till_sync_apply_ack (store, identity, batch, second, g_get_real_time (), &progress, &error),
      "%s", error ? error->message : "");
  ck_assert (!progress);
  ck_assert_int_eq (hq_sales (), 4);
  ck_assert_int_eq (till_acked_through (), 4);
}
END_TEST

/* /sync/client/bad-countersig: an ack that HQ's key did not sign marks
 * nothing, though HQ stored the sales. */
START_TEST (test_bad_countersig)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncClient) client = make_client ();
  g_autoptr (TillSyncIdentity) identity = till_sync_identity_load (store, &error);
  g_autoptr (TillSyncBatch) batch = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autoptr (HqCa) other_ca = NULL;
  g_autofree char *other_dir = g_build_filename (scratch, "other-ca", NULL);
  gboolean         progress = TRUE;
  guint            pushed = 99;

  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  other_ca = hq_ca_open (other_dir, NULL, &error);
  ck_assert_msg (other_ca != NULL, "%s", error ? error->message : "");
  till_sell (3);

  /* The identity expects another key than the one HQ signs with. */
  g_free (identity->hq_key);
  identity->hq_key = g_strdup (hq_ca_get_ack_public_key (other_ca));
  batch = till_sync_build_batch (store, journal, identity, g_get_real_time (), &error);
  ck_assert_msg (batch != NULL, "%s", error ? error->message : "");
  ack = till_sync_client_push (client, batch->body, batch->signature, batch->key, &error);
  ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (ack->acked_through, 3);

  ck_assert (
      !till_sync_apply_ack (store, identity, batch, ack, g_get_real_time (), &progress, &error));
  ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL), "%s",
                 error ? error->message : "no error");
  ck_assert (!progress);
  g_clear_error (&error);
  ck_assert_int_eq (till_pending (), 3);
  ck_assert_int_eq (till_acked_through (), 0);

  /* The same through till_sync_run, with the saved identity tampered with. */
  ck_assert (
      till_store_set_setting (store, "sync.hq-key", hq_ca_get_ack_public_key (other_ca), &error));
  ck_assert (!till_sync_run (store, journal, client, &pushed, &error));
  ck_assert (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL));
  ck_assert_uint_eq (pushed, 0);
  ck_assert_int_eq (till_pending (), 3);
  ck_assert_int_eq (till_acked_through (), 0);
}
END_TEST

/* /sync/client/ack-out-of-range: a countersigned ack past the newest row
 * this till ever queued (only a restored database sees one) is refused and
 * marks nothing; one that goes back behind what is acknowledged too. */
START_TEST (test_ack_out_of_range)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncIdentity) identity = till_sync_identity_load (store, &error);
  g_autoptr (TillSyncBatch) batch = NULL;
  g_autoptr (TillWireAck) ack = till_wire_ack_new ();
  g_autoptr (GBytes) message = NULL;
  gboolean progress = TRUE;

  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  till_sell (2);
  batch = till_sync_build_batch (store, journal, identity, g_get_real_time (), &error);
  ck_assert_msg (batch != NULL, "%s", error ? error->message : "");
  ack->acked_through = batch->last_seq + 1;
  message = till_wire_countersig_message (identity->till_id, identity->epoch, ack->acked_through,
                                          batch->head_seq, batch->head_hash);
  ack->countersig = hq_ca_countersign (till_hq_thread_get_ca (hq), message);

  ck_assert (
      !till_sync_apply_ack (store, identity, batch, ack, g_get_real_time (), &progress, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert (!progress);
  ck_assert_int_eq (till_acked_through (), 0);
  g_clear_error (&error);

  /* Signed and in range: taken. */
  g_clear_pointer (&message, g_bytes_unref);
  g_clear_pointer (&ack->countersig, g_free);
  ack->acked_through = batch->last_seq;
  message = till_wire_countersig_message (identity->till_id, identity->epoch, ack->acked_through,
                                          batch->head_seq, batch->head_hash);
  ack->countersig = hq_ca_countersign (till_hq_thread_get_ca (hq), message);
  ck_assert_msg (
      till_sync_apply_ack (store, identity, batch, ack, g_get_real_time (), &progress, &error),
      "%s", error ? error->message : "");
  ck_assert (progress);
  ck_assert_int_eq (till_acked_through (), 2);

  /* Backwards: refused, the mark stays. */
  g_clear_pointer (&message, g_bytes_unref);
  g_clear_pointer (&ack->countersig, g_free);
  ack->acked_through = 1;
  message = till_wire_countersig_message (identity->till_id, identity->epoch, ack->acked_through,
                                          batch->head_seq, batch->head_hash);
  ack->countersig = hq_ca_countersign (till_hq_thread_get_ca (hq), message);
  ck_assert (
      !till_sync_apply_ack (store, identity, batch, ack, g_get_real_time (), &progress, &error));
  ck_assert (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL));
  ck_assert_int_eq (till_acked_through (), 2);
}
END_TEST

/* /sync/client/restored: a till whose database is older than HQ's record
 * of it (restored from a backup) learns so at its next push, reuses no seq
 * HQ holds, stops new sales, and after a new enrollment (a new epoch) sends
 * what it sold meanwhile. */
START_TEST (test_restored)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncClient) client = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autofree char *token = NULL;
  guint            pushed = 0;

  till_sell (5);
  ck_assert_uint_eq (sync_ok (), 5);
  ck_assert_int_eq (till_acked_through (), 5);
  /* The database as a backup taken after the third sale left it. */
  ck_assert_msg (till_store_exec (store,
                                  "DELETE FROM outbox WHERE seq > 3;"
                                  "UPDATE hq_ack SET acked_through = 3",
                                  &error),
                 "%s", error ? error->message : "");
  till_sell (1);

  client = make_client ();
  ck_assert (!till_sync_run (store, journal, client, &pushed, &error));
  ck_assert_msg (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_RESTORED),
                 "%s", error ? error->message : "");
  g_clear_error (&error);
  ck_assert (!till_sync_allow_new_sale (store, g_get_real_time (), &error));
  g_clear_error (&error);
  ck_assert_int_eq (hq_sales (), 5);

  token = test_hq_token (1, (gint64) G_USEC_PER_SEC * 3600);
  identity = till_enroll (store, journal, till_hq_thread_get_url (hq), token, till_dir, &error);
  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (identity->epoch, 2);
  ck_assert_msg (till_sync_allow_new_sale (store, g_get_real_time (), &error), "%s",
                 error ? error->message : "");
  g_clear_object (&client);
  ck_assert_uint_eq (sync_ok (), 1);
  ck_assert_int_eq (hq_sales (), 6);
  ck_assert_int_eq (till_pending (), 0);
}
END_TEST

/* /sync/client/resend: HQ restored from a backup lost documents it had
 * acknowledged; the till sends them again from a number on, and HQ ends
 * with every sale once. */
START_TEST (test_resend)
{
  g_autoptr (GError) error = NULL;
  gint64 queued;

  till_sell (5);
  ck_assert_uint_eq (sync_ok (), 5);
  ck_assert_msg (hq_db_execute (hq_store_get_db (hq_store), "DELETE FROM document WHERE seq > 2",
                                NULL, 0, &error) == 3,
                 "%s", error ? error->message : "");
  ck_assert_int_eq (hq_sales (), 2);

  queued = till_outbox_resend_from (store, 2, &error);
  ck_assert_msg (queued == 4, "%" G_GINT64_FORMAT ": %s", queued, error ? error->message : "");
  ck_assert_int_eq (till_pending (), 4);
  ck_assert_uint_eq (sync_ok (), 4);
  ck_assert_int_eq (hq_sales (), 5);
  ck_assert_int_eq (till_pending (), 0);
  ck_assert_int_eq (till_acked_through (), 5);
}
END_TEST

/* /sync/client/poisoned: an item HQ cannot load stops acked_through before
 * it, keeps its reason at the till, and the rest stays queued. */
START_TEST (test_poisoned)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TillOutboxStats stats;

  till_sell (5);
  /* Document 3's payload no longer matches its hash. */
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "UPDATE outbox SET payload = CAST ('{\"x\":1}' AS BLOB) "
                                        "WHERE seq = 3",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);

  ck_assert_uint_eq (sync_ok (), 2);
  stats = till_stats ();
  ck_assert_int_eq (stats.acked_through, 2);
  ck_assert_int_eq (stats.pending, 3);
  ck_assert_int_eq (stats.failing_seq, 3);
  ck_assert_ptr_nonnull (stats.failing_reason);
  ck_assert_msg (strstr (stats.failing_reason, "rejected") != NULL, "%s", stats.failing_reason);
  till_outbox_stats_clear (&stats);

  /* Another round gets no further, and says so without an error. */
  ck_assert_uint_eq (sync_ok (), 0);
  ck_assert_int_eq (till_acked_through (), 2);
}
END_TEST

/* /sync/client/refused: a push whose signature is not the till's is 401,
 * REFUSED with HQ's reason. */
START_TEST (test_refused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncClient) client = make_client ();
  g_autoptr (TillSyncIdentity) identity = till_sync_identity_load (store, &error);
  g_autoptr (TillSyncBatch) batch = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autofree char *other_signature = NULL;
  g_autoptr (GBytes) other_body = g_bytes_new_static ("{}", 2);

  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  till_sell (1);
  batch = till_sync_build_batch (store, journal, identity, g_get_real_time (), &error);
  ck_assert_msg (batch != NULL, "%s", error ? error->message : "");
  other_signature = till_journal_sign_base64 (journal, other_body);

  ack = till_sync_client_push (client, batch->body, other_signature, batch->key, &error);
  ck_assert_ptr_null (ack);
  ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_REFUSED), "%s",
                 error ? error->message : "no error");
  ck_assert_msg (strstr (error->message, "401") != NULL, "%s", error->message);
  ck_assert_int_eq (hq_sales (), 0);
}
END_TEST

/* /sync/client/wrong-ca: a server whose certificate is not from the CA the
 * till saved is TLS, and nothing is sent. */
START_TEST (test_wrong_ca)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqCa) other_ca = NULL;
  g_autoptr (TillSyncIdentity) identity = till_sync_identity_load (store, &error);
  g_autoptr (TillSyncClient) client = NULL;
  g_autoptr (TillWirePage) page = NULL;
  g_autofree char *other_dir = g_build_filename (scratch, "other-ca", NULL);
  g_autofree char *other_ca_path = g_build_filename (other_dir, "ca.pem", NULL);

  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  other_ca = hq_ca_open (other_dir, NULL, &error);
  ck_assert_msg (other_ca != NULL, "%s", error ? error->message : "");
  client = till_sync_client_new (identity->url, other_ca_path, identity->cert_path,
                                 identity->key_path, 10, &error);
  ck_assert_msg (client != NULL, "%s", error ? error->message : "");

  page = till_sync_client_pull (client, "items", 0, 10, &error);
  ck_assert_ptr_null (page);
  ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_TLS), "%s",
                 error ? error->message : "no error");
}
END_TEST

/* /sync/client/offline: with HQ stopped, a round fails OFFLINE and every
 * document stays pending; once HQ is back they go. */
START_TEST (test_offline)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncClient) client = make_client ();
  guint pushed = 99;

  till_sell (3);
  /* HQ stops serving; hq_sales () still reads through the test's connection. */
  g_clear_pointer (&hq, till_hq_thread_stop);

  ck_assert (!till_sync_run (store, journal, client, &pushed, &error));
  ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_OFFLINE), "%s",
                 error ? error->message : "no error");
  ck_assert_uint_eq (pushed, 0);
  ck_assert_int_eq (till_pending (), 3);
  ck_assert_int_eq (till_acked_through (), 0);
  ck_assert_int_eq (hq_sales (), 0);
}
END_TEST

/* /sync/client/not-enrolled: a till without an identity gets no client. */
START_TEST (test_not_enrolled)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *other_db = g_build_filename (scratch, "other.db", NULL);
  g_autoptr (TillStore) other = till_store_open (other_db, &error);
  g_autoptr (TillSyncClient) client = NULL;

  ck_assert_msg (other != NULL, "%s", error ? error->message : "");
  client = till_sync_client_new_for_store (other, 10, &error);
  ck_assert_ptr_null (client);
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_NOT_ENROLLED));
}
END_TEST

/* --- Pull --------------------------------------------------------------------------- */

#define WATER_SKU "6921168509256"
#define WATER_BARCODE "6921168509256"
#define BREAD_SKU "6901234567892"
#define BREAD_BARCODE "6901234567892"

static void
hq_import (const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (scratch, "import.json", NULL);
  guint            n_rows = 0;

  ck_assert_msg (g_file_set_contents (path, json, -1, &error), "%s", error ? error->message : "");
  ck_assert_msg (hq_store_import_file (hq_store, path, &n_rows, &error), "%s",
                 error ? error->message : "");
  ck_assert_uint_gt (n_rows, 0);
}

static const char master_json[] =
    "{\"categories\":[{\"code\":\"D1\",\"name\":\"饮料\",\"parent\":null,\"sort_order\":1},"
    "{\"code\":\"B1\",\"name\":\"烘焙\",\"parent\":null,\"sort_order\":2}],"
    "\"items\":[{\"sku\":\"" WATER_SKU "\",\"name\":\"农夫山泉饮用天然水 550ml\","
    "\"short_name\":\"农夫山泉\",\"unit\":\"瓶\",\"category\":\"D1\","
    "\"barcodes\":[\"" WATER_BARCODE "\"],\"plu\":null,\"brand\":\"农夫山泉\","
    "\"vat_rate\":1300,\"weighed\":false,\"active\":true,\"cost\":120,"
    "\"price\":200,\"member_price\":0},"
    "{\"sku\":\"" BREAD_SKU "\",\"name\":\"桃李醇熟切片面包 400g\","
    "\"short_name\":\"切片面包\",\"unit\":\"袋\",\"category\":\"B1\","
    "\"barcodes\":[\"" BREAD_BARCODE "\"],\"plu\":null,\"brand\":\"桃李\","
    "\"vat_rate\":900,\"weighed\":false,\"active\":true,\"cost\":500,"
    "\"price\":980,\"member_price\":900}],"
    "\"users\":[{\"code\":\"2001\",\"name\":\"李四\",\"role\":\"cashier\",\"active\":true,"
    "\"pin\":\"8888\",\"max_line_discount_bp\":null,\"max_price_override\":null,"
    "\"max_refund\":null}]}";

static TillProduct *
lookup_barcode (const char *barcode)
{
  g_autoptr (GError) error = NULL;
  TillProduct *product = till_catalog_lookup_barcode (catalog, barcode, &error);

  ck_assert_msg (product != NULL, "%s: %s", barcode, error ? error->message : "");
  return product;
}

/* /sync/client/pull: products, categories and users imported at HQ reach
 * the till; the user signs in with the PIN set at HQ. */
START_TEST (test_pull)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) water = NULL;
  g_autoptr (TillProduct) bread = NULL;
  g_autoptr (TillUser) user = NULL;
  g_autoptr (TillUser) wrong = NULL;

  hq_import (master_json);
  ck_assert_uint_eq (sync_ok (), 0);

  water = lookup_barcode (WATER_BARCODE);
  ck_assert_str_eq (till_product_get_name (water), "农夫山泉饮用天然水 550ml");
  ck_assert_int_eq (till_product_get_price (water), 200);
  ck_assert_int_gt (till_product_get_category_id (water), 0);
  bread = lookup_barcode (BREAD_BARCODE);
  ck_assert_int_eq (till_product_get_price (bread), 980);
  ck_assert_int_eq (till_product_get_member_price (bread), 900);
  ck_assert (till_product_get_active (bread));

  user = till_user_authenticate (store, "2001", "8888", &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  wrong = till_user_authenticate (store, "2001", "8889", &error);
  ck_assert_ptr_null (wrong);
  g_clear_error (&error);

  ck_assert_int_gt (till_master_data_get_cursor (store, "items", &error), 0);
  ck_assert_int_gt (till_master_data_get_cursor (store, "users", &error), 0);

  /* A change at HQ arrives as a delta. */
  hq_import ("{\"items\":[{\"sku\":\"" WATER_SKU "\",\"name\":\"农夫山泉饮用天然水 550ml\","
             "\"short_name\":\"农夫山泉\",\"unit\":\"瓶\",\"category\":\"D1\","
             "\"barcodes\":[\"" WATER_BARCODE "\"],\"plu\":null,\"brand\":\"农夫山泉\","
             "\"vat_rate\":1300,\"weighed\":false,\"active\":true,\"cost\":120,"
             "\"price\":220,\"member_price\":0}]}");
  ck_assert_uint_eq (sync_ok (), 0);
  g_clear_object (&water);
  water = lookup_barcode (WATER_BARCODE);
  ck_assert_int_eq (till_product_get_price (water), 220);
}
END_TEST

/* /sync/client/drift: when the rows the till holds for a channel no longer
 * number what HQ says they should, the till reloads the channel and holds
 * them all again. */
START_TEST (test_drift_reload)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 held = -1;

  hq_import (master_json);
  ck_assert_uint_eq (sync_ok (), 0);

  /* A row goes missing at the till, as after a bad restore. */
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "DELETE FROM master_row WHERE channel = 'items' AND id = ?",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, BREAD_SKU, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  g_clear_pointer (&stmt, sqlite3_finalize);

  ck_assert_uint_eq (sync_ok (), 0);
  ck_assert (!till_master_data_is_reloading (store, "items"));
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT count(*) FROM master_row WHERE channel = 'items'",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  held = sqlite3_column_int64 (stmt, 0);
  ck_assert_int_eq (held, 2);
}
END_TEST

/* /sync/client/gone: after HQ purged the tombstone of an item the till
 * holds, its cursor is too old (410): the till reloads the channel, and the
 * item HQ no longer sends becomes inactive. */
START_TEST (test_gone_reload)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) water = NULL;
  g_autoptr (TillProduct) bread = NULL;
  g_autoptr (TillSyncClient) client = make_client ();
  g_autoptr (TillWirePage) page = NULL;
  gint64 cursor_before;
  gint64 cursor_after;
  gint64 purged;

  hq_import (master_json);
  ck_assert_uint_eq (sync_ok (), 0);
  bread = lookup_barcode (BREAD_BARCODE);
  ck_assert (till_product_get_active (bread));
  g_clear_object (&bread);
  cursor_before = till_master_data_get_cursor (store, "items", &error);
  ck_assert_int_gt (cursor_before, 0);

  ck_assert_msg (hq_store_delete_row (hq_store, "items", BREAD_SKU, "all", &error), "%s",
                 error ? error->message : "");
  purged = hq_store_purge_tombstones (hq_store, g_get_real_time () + G_USEC_PER_SEC, &error);
  ck_assert_msg (purged >= 1, "%s", error ? error->message : "nothing purged");

  /* HQ now answers the till's cursor with 410. */
  page = till_sync_client_pull (client, "items", cursor_before, TILL_WIRE_PAGE_MAX_ROWS, &error);
  ck_assert_ptr_null (page);
  ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_GONE), "%s",
                 error ? error->message : "no error");
  g_clear_error (&error);

  ck_assert_uint_eq (sync_ok (), 0);
  ck_assert (!till_master_data_is_reloading (store, "items"));
  /* The cursor the reload left must be one HQ serves: a reload that ends
   * below HQ's floor would reload again at every round. */
  cursor_after = till_master_data_get_cursor (store, "items", &error);
  ck_assert_int_gt (cursor_after, 0);
  page = till_sync_client_pull (client, "items", cursor_after, TILL_WIRE_PAGE_MAX_ROWS, &error);
  ck_assert_msg (page != NULL, "after the reload: %s", error ? error->message : "");
  ck_assert (!page->has_more);
  /* The item HQ no longer sends is inactive: it no longer scans. */
  bread = till_catalog_lookup_barcode (catalog, BREAD_BARCODE, &error);
  ck_assert_ptr_null (bread);
  g_clear_error (&error);
  water = lookup_barcode (WATER_BARCODE);
  ck_assert (till_product_get_active (water));
}
END_TEST

/* --- opentill-admin enroll, sync, sync-status ------------------------------------- */

/* Runs $OPENTILL_ADMIN with @args and the till's --db; returns its exit
 * status. */
static int
run_admin (char **out_stdout, char **out_stderr, const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *admin = g_getenv ("OPENTILL_ADMIN");
  int         wait_status = 0;

  ck_assert_msg (admin != NULL, "OPENTILL_ADMIN is not set");
  g_ptr_array_add (argv, (gpointer) admin);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, db_path);
  g_ptr_array_add (argv, NULL);

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out_stdout, out_stderr, &wait_status, &error),
                 "%s", error ? error->message : "");
  ck_assert_msg (WIFEXITED (wait_status), "opentill-admin %s died: %s", args[0], *out_stderr);
  return WEXITSTATUS (wait_status);
}

static void
assert_contains (const char *text, const char *part)
{
  ck_assert_msg (strstr (text, part) != NULL, "“%s” not in:\n%s", part, text);
}

static void
setup_admin (void)
{
  setup_dirs ();
  till_open ();
  till_make_products ();
  till_sign_in ();
}

/* /sync/client/admin: store IT enrolls the till, syncs it and reads its
 * status with opentill-admin, the till program closed. */
START_TEST (test_admin_commands)
{
  g_autofree char *token = test_hq_token (1, (gint64) G_USEC_PER_SEC * 3600);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *cert_path = g_build_filename (till_dir, "sync-cert.pem", NULL);

  till_sell (3);
  till_close ();

  /* Before enrollment: the queue, and no sync. */
  ck_assert_int_eq (run_admin (&out, &err, (const char *[]){ "sync-status", NULL }), 0);
  assert_contains (out, "not enrolled");
  assert_contains (out, "Pending: 3 documents");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_admin (&out, &err, (const char *[]){ "sync", NULL }), 1);
  assert_contains (err, "not enrolled");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Enroll: the till id, store and epoch; the files beside the database. */
  ck_assert_int_eq (
      run_admin (&out, &err,
                 (const char *[]){ "enroll", till_hq_thread_get_url (hq), token, NULL }),
      0);
  assert_contains (out, "till S001-01 of store S001, epoch 1");
  ck_assert (g_file_test (cert_path, G_FILE_TEST_EXISTS));
  till_id = g_strdup ("S001-01");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The same token again is refused, with HQ's reason. */
  ck_assert_int_eq (
      run_admin (&out, &err,
                 (const char *[]){ "enroll", till_hq_thread_get_url (hq), token, NULL }),
      1);
  assert_contains (err, "HQ refused");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Sync: the three sales go, the channels are pulled. */
  ck_assert_int_eq (run_admin (&out, &err, (const char *[]){ "sync", NULL }), 0);
  assert_contains (out, "sent 3 documents");
  assert_contains (out, "items@");
  ck_assert_int_eq (hq_sales (), 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  ck_assert_int_eq (run_admin (&out, &err, (const char *[]){ "sync-status", NULL }), 0);
  assert_contains (out, "Enrolled as: till S001-01 of store S001, epoch 1");
  assert_contains (out, till_hq_thread_get_url (hq));
  assert_contains (out, "Pending: 0 documents");
  assert_contains (out, "Acked through: 3");
  assert_contains (out, "Failing: none");
  assert_contains (out, "categories");
  assert_contains (out, "Offline limits:");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* HQ down: sync fails with the reason, and the new sales wait. */
  till_open ();
  till_sign_in ();
  till_sell (2);
  till_close ();
  g_clear_pointer (&hq, till_hq_thread_stop);
  ck_assert_int_eq (run_admin (&out, &err, (const char *[]){ "sync", NULL }), 1);
  assert_contains (err, "cannot be reached");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_admin (&out, &err, (const char *[]){ "sync-status", NULL }), 0);
  assert_contains (out, "Pending: 2 documents");
  assert_contains (out, "Acked through: 3");
}
END_TEST

static Suite *
sync_client_suite (void)
{
  Suite *suite = suite_create ("sync-client");
  TCase *push = tcase_create ("/sync/client/push");
  TCase *pull = tcase_create ("/sync/client/pull");
  TCase *admin = tcase_create ("/sync/client/admin");

  tcase_add_checked_fixture (push, setup, teardown);
  tcase_add_test (push, test_push);
  tcase_add_test (push, test_push_many);
  tcase_add_test (push, test_replay);
  tcase_add_test (push, test_bad_countersig);
  tcase_add_test (push, test_ack_out_of_range);
  tcase_add_test (push, test_poisoned);
  tcase_add_test (push, test_restored);
  tcase_add_test (push, test_resend);
  tcase_add_test (push, test_refused);
  tcase_add_test (push, test_wrong_ca);
  tcase_add_test (push, test_offline);
  tcase_add_test (push, test_not_enrolled);
  suite_add_tcase (suite, push);

  tcase_add_checked_fixture (pull, setup, teardown);
  tcase_add_test (pull, test_pull);
  tcase_add_test (pull, test_gone_reload);
  tcase_add_test (pull, test_drift_reload);
  suite_add_tcase (suite, pull);

  tcase_add_checked_fixture (admin, setup_admin, teardown);
  tcase_add_test (admin, test_admin_commands);
  suite_add_tcase (suite, admin);
  return suite;
}

int
main (int argc, char **argv)
{
  return till_test_run_suite (sync_client_suite ());
}
