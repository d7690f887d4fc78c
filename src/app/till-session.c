/* till-session.c: the open till: its store, catalog, journal, cart and cashier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "till-session.h"

/* The demo shop is the same on every till that creates it. */
#define DEMO_SEED 20241122
/* Members' personal data is sealed with this key, kept beside the journal's. */
#define MEMBER_KEY_FILE "member.key"
/* The recommender learns from this many days of sales, and again after this
 * many more sales. */
#define RECOMMENDER_DAYS 90
#define RECOMMENDER_RETRAIN_SALES 50
/* The loyalty upkeep (points expiry, tiers, birthday coupons) runs at start
 * and then once a day. */
#define LOYALTY_UPKEEP_INTERVAL_S (24 * 60 * 60)

struct _TillSession
{
  GObject parent_instance;

  TillStore   *store;
  TillCatalog *catalog;
  TillJournal *journal;
  TillCart    *cart;
  TillUser    *user;
  guint        checkpoint_source;

  TillTenderRegistry *tenders;
  TillWalletService  *wallet_service;
  TillPayment        *payment;
  TillSyncWorker     *sync_worker;

  TillMemberKey   *member_key;
  TillRecommender *recommender;
  gint64           recommender_trained_us; /* the end of the window it learnt */
  guint            sales_since_training;   /* sales recorded (or set aside) since */
  guint            retrain_source;
  guint            upkeep_source; /* the first run (idle), then the daily timer */
};

G_DEFINE_FINAL_TYPE (TillSession, till_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_USER,
  PROP_PAYMENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
checkpoint_when_idle_cb (gpointer user_data)
{
  TillSession *self = user_data;
  g_autoptr (GError) error = NULL;

  self->checkpoint_source = 0;
  /* A failed checkpoint loses nothing (the log still holds every sale); the
   * next sale tries again. */
  if (!till_store_checkpoint_if_due (self->store, &error))
    g_warning ("%s", error->message);
  return G_SOURCE_REMOVE;
}

/* The open cart's payment, read from SQLite: after a restart it holds the
 * tenders a killed till had already taken. */
static gboolean
renew_payment (TillSession *self, GError **error)
{
  g_autoptr (TillPayment) payment = till_payment_new (self->cart, error);

  if (payment == NULL)
    return FALSE;
  g_set_object (&self->payment, payment);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAYMENT]);
  return TRUE;
}

/* Learns the last RECOMMENDER_DAYS of sales. A failure leaves the old model
 * (or none: an untrained recommender suggests nothing), so it is logged only. */
static void
train_recommender (TillSession *self)
{
  gint64 now_us = g_get_real_time ();
  g_autoptr (GError) error = NULL;

  if (!till_recommender_train (self->recommender,
                               now_us - (gint64) RECOMMENDER_DAYS * 24 * 3600 * G_USEC_PER_SEC,
                               now_us + 1, &error))
    {
      g_warning ("The recommender cannot learn from the sales: %s", error->message);
      return;
    }
  self->recommender_trained_us = now_us;
  self->sales_since_training = 0;
}

static gboolean
retrain_when_idle_cb (gpointer user_data)
{
  TillSession *self = user_data;

  self->retrain_source = 0;
  train_recommender (self);
  return G_SOURCE_REMOVE;
}

/* Sales recorded since the model was trained. */
static gint64
count_sales_since (TillSession *self, gint64 since_us)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GError) error = NULL;

  stmt =
      till_store_prepare (self->store, "SELECT count(*) FROM sale WHERE created_us >= ?", &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return 0;
    }
  sqlite3_bind_int64 (stmt, 1, since_us);
  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

/* A sale recorded, voided or put on hold: the new cart starts unpaid. Every
 * RECOMMENDER_RETRAIN_SALES of them the recorded sales are counted, and the
 * recommender learns again once that many were sales, when the screen is idle
 * (the checkout waits for nothing). */
static void
cart_sale_uuid_cb (TillSession *self)
{
  g_autoptr (GError) error = NULL;

  if (!renew_payment (self, &error))
    g_warning ("The new sale's payment cannot be read: %s", error->message);

  if (++self->sales_since_training >= RECOMMENDER_RETRAIN_SALES && self->retrain_source == 0)
    {
      if (count_sales_since (self, self->recommender_trained_us) >= RECOMMENDER_RETRAIN_SALES)
        self->retrain_source = g_idle_add_full (G_PRIORITY_LOW, retrain_when_idle_cb, self, NULL);
      else
        self->sales_since_training = 0;
    }
}

/* The daily loyalty upkeep: expires points, moves members between tiers and
 * issues birthday coupons. A failure is logged and tried again the next
 * day: it must never stop the till. */
static void
run_loyalty_upkeep (TillSession *self)
{
  g_autoptr (GError) error = NULL;
  gint64 changed;

  changed = till_loyalty_run_daily (self->store, self->journal, self->member_key,
                                    g_get_real_time (), &error);
  if (changed < 0 || error != NULL)
    {
      g_warning ("The daily loyalty upkeep failed: %s",
                 error != NULL ? error->message : "no reason given");
      return;
    }
  g_message ("The daily loyalty upkeep ran: %" G_GINT64_FORMAT " members changed tier", changed);
  /* Expiries, tiers and coupons were queued for HQ. */
  till_session_kick_sync (self);
}

static gboolean
loyalty_upkeep_daily_cb (gpointer user_data)
{
  run_loyalty_upkeep (user_data);
  return G_SOURCE_CONTINUE;
}

/* The first run, once the till's screen is up; then every day. */
static gboolean
loyalty_upkeep_first_cb (gpointer user_data)
{
  TillSession *self = user_data;

  run_loyalty_upkeep (self);
  self->upkeep_source =
      g_timeout_add_seconds (LOYALTY_UPKEEP_INTERVAL_S, loyalty_upkeep_daily_cb, self);
  return G_SOURCE_REMOVE;
}

static gboolean
store_has_members (TillSession *self, gboolean *out_has, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (self->store, "SELECT 1 FROM member LIMIT 1", error);

  if (stmt == NULL)
    return FALSE;
  *out_has = sqlite3_step (stmt) == SQLITE_ROW;
  return TRUE;
}

static void
till_session_dispose (GObject *object)
{
  TillSession *self = TILL_SESSION (object);

  g_clear_handle_id (&self->checkpoint_source, g_source_remove);
  g_clear_handle_id (&self->retrain_source, g_source_remove);
  g_clear_handle_id (&self->upkeep_source, g_source_remove);
  /* Its thread is joined before the store it works for closes. */
  if (self->sync_worker != NULL)
    till_sync_worker_stop (self->sync_worker);
  g_clear_object (&self->sync_worker);
  if (self->cart != NULL)
    g_signal_handlers_disconnect_by_data (self->cart, self);
  g_clear_object (&self->payment);
  g_clear_object (&self->tenders);
  g_clear_object (&self->wallet_service);
  g_clear_object (&self->user);
  g_clear_object (&self->recommender);
  g_clear_object (&self->cart);
  g_clear_object (&self->member_key);
  g_clear_object (&self->journal);
  g_clear_object (&self->catalog);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_session_parent_class)->dispose (object);
}

static void
till_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillSession *self = TILL_SESSION (object);

  switch (prop_id)
    {
    case PROP_USER:
      g_value_set_object (value, self->user);
      break;
    case PROP_PAYMENT:
      g_value_set_object (value, self->payment);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_session_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TillSession *self = TILL_SESSION (object);

  switch (prop_id)
    {
    case PROP_USER:
      till_session_set_user (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_session_class_init (TillSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_session_dispose;
  object_class->get_property = till_session_get_property;
  object_class->set_property = till_session_set_property;

  properties[PROP_USER] =
      g_param_spec_object ("user", NULL, NULL, TILL_TYPE_USER,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAYMENT] =
      g_param_spec_object ("payment", NULL, NULL, TILL_TYPE_PAYMENT,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_session_init (TillSession *self)
{
}

/**
 * till_session_open:
 * @db_path: the SQLite database
 * @key_path: the journal's signing key
 * @demo_skus: when not 0 and the store has no products, create the demo shop
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the session, or %NULL with @error set (for example
 *   %TILL_STORE_ERROR_LOCKED when another till process has the database open)
 */
TillSession *
till_session_open (const char *db_path, const char *key_path, guint demo_skus, GError **error)
{
  g_autoptr (TillSession) self = NULL;
  g_autofree char *db_dir = NULL;
  g_autofree char *key_dir = NULL;
  g_autofree char *member_key_path = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (key_path != NULL, NULL);

  db_dir = g_path_get_dirname (db_path);
  if (g_mkdir_with_parents (db_dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("Cannot create the folder %s: %s"), db_dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (TILL_TYPE_SESSION, NULL);
  self->store = till_store_open (db_path, error);
  if (self->store == NULL)
    return NULL;
  self->catalog = till_catalog_new (self->store);

  if (demo_skus > 0)
    {
      gint64 n_products = till_catalog_count_products (self->catalog, error);

      if (n_products < 0)
        return NULL;
      if (n_products == 0 && !till_demo_populate (self->store, demo_skus, DEMO_SEED, error))
        return NULL;
    }

  self->journal = till_journal_new (self->store, key_path, error);
  if (self->journal == NULL)
    return NULL;
  key_dir = g_path_get_dirname (key_path);
  member_key_path = g_build_filename (key_dir, MEMBER_KEY_FILE, NULL);
  self->member_key = till_member_key_load_or_create (member_key_path, error);
  if (self->member_key == NULL)
    return NULL;
  if (demo_skus > 0)
    {
      gboolean has_members = FALSE;

      if (!store_has_members (self, &has_members, error))
        return NULL;
      if (!has_members &&
          !till_demo_add_members (self->store, self->journal, self->member_key, error))
        return NULL;
    }

  self->cart = till_cart_new (self->store, self->catalog);
  /* Before the restore: a journaled cart's member is opened with it. */
  till_cart_set_member_key (self->cart, self->member_key);
  if (!till_cart_restore (self->cart, error))
    return NULL;

  self->tenders = till_tender_registry_new (self->store);
  {
    g_autoptr (TillTender) cash = till_cash_tender_new ();
    g_autoptr (TillTender) card = till_card_tender_new ();
    g_autoptr (TillTender) stored_value = till_stored_value_tender_new (self->store);
    g_autoptr (TillTender) voucher = till_voucher_tender_new (self->store);
    g_autoptr (TillTender) points = till_points_tender_new (self->store);

    till_tender_registry_add (self->tenders, cash);
    till_tender_registry_add (self->tenders, card);
    till_tender_registry_add (self->tenders, stored_value);
    till_tender_registry_add (self->tenders, voucher);
    till_tender_registry_add (self->tenders, points);
  }
  self->wallet_service = till_wallet_service_new (self->store);
  if (!renew_payment (self, error))
    return NULL;
  g_signal_connect_object (self->cart, "notify::sale-uuid", G_CALLBACK (cart_sale_uuid_cb), self,
                           G_CONNECT_SWAPPED);
  self->sync_worker = till_sync_worker_new (self->store, self->journal);
  self->recommender = till_recommender_new (self->store);
  /* Learning months of sales waits for the first idle moment: the till
   * opens at once, and suggests nothing until then. */
  self->retrain_source = g_idle_add_full (G_PRIORITY_LOW, retrain_when_idle_cb, self, NULL);
  self->upkeep_source = g_idle_add_full (G_PRIORITY_LOW, loyalty_upkeep_first_cb, self, NULL);

  return g_steal_pointer (&self);
}

TillStore *
till_session_get_store (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->store;
}

TillCatalog *
till_session_get_catalog (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->catalog;
}

TillJournal *
till_session_get_journal (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->journal;
}

TillCart *
till_session_get_cart (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->cart;
}

TillUser *
till_session_get_user (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->user;
}

void
till_session_set_user (TillSession *self, TillUser *user)
{
  g_return_if_fail (TILL_IS_SESSION (self));
  g_return_if_fail (user == NULL || TILL_IS_USER (user));

  if (g_set_object (&self->user, user))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

TillTenderRegistry *
till_session_get_tenders (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->tenders;
}

/**
 * till_session_get_member_key:
 * Returns: (transfer none): the key members' personal data is sealed with
 */
TillMemberKey *
till_session_get_member_key (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->member_key;
}

/**
 * till_session_get_recommender:
 * Returns: (transfer none): suggestions for the open sale's member, learnt
 *   from the last 90 days of sales and again after every 50 sales
 */
TillRecommender *
till_session_get_recommender (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->recommender;
}

TillWalletService *
till_session_get_wallet_service (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->wallet_service;
}

/**
 * till_session_add_wallet_client:
 * @client: a configured provider client
 * @cadence: (nullable): when to query and give up; %NULL: the provider's
 *
 * From here on the wallet's tender is a driver of till_session_get_tenders():
 * the payment screen shows it when the store turned it on.
 */
void
till_session_add_wallet_client (TillSession             *self,
                                TillWalletClient        *client,
                                const TillWalletCadence *cadence)
{
  g_autoptr (TillTender) tender = NULL;

  g_return_if_fail (TILL_IS_SESSION (self));
  g_return_if_fail (TILL_IS_WALLET_CLIENT (client));

  till_wallet_service_set_client (self->wallet_service, client, cadence);
  tender = till_wallet_service_create_tender (self->wallet_service,
                                              till_wallet_client_get_provider (client));
  till_tender_registry_add (self->tenders, tender);
}

/**
 * till_session_get_payment:
 * Returns: (transfer none): the open cart's payment; replaced (and "payment"
 *   notified) when the cart starts a new sale
 */
TillPayment *
till_session_get_payment (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->payment;
}

gboolean
till_session_reload_payment (TillSession *self, GError **error)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return till_payment_reload (self->payment, error);
}

/**
 * till_session_get_sync_worker:
 * Returns: (transfer none): the sync with HQ; stopped until someone starts it
 */
TillSyncWorker *
till_session_get_sync_worker (TillSession *self)
{
  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);
  return self->sync_worker;
}

/**
 * till_session_kick_sync:
 *
 * A sale, return or other document was just recorded: push it to HQ now
 * (a backoff under way is respected; nothing happens while stopped).
 */
void
till_session_kick_sync (TillSession *self)
{
  g_return_if_fail (TILL_IS_SESSION (self));
  till_sync_worker_kick (self->sync_worker, FALSE);
}

char *
till_session_dup_store_name (TillSession *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (TILL_IS_SESSION (self), NULL);

  name = till_store_get_setting (self->store, "store.name");
  if (name == NULL || *name == '\0')
    return g_strdup (_ ("OpenTill"));
  return g_steal_pointer (&name);
}

/**
 * till_session_checkpoint_when_idle:
 *
 * After a sale: copies the database's write-ahead log into the database once
 * the screen has nothing else to do, so that no sale ever waits for it.
 */
void
till_session_checkpoint_when_idle (TillSession *self)
{
  g_return_if_fail (TILL_IS_SESSION (self));

  if (self->checkpoint_source == 0)
    self->checkpoint_source = g_idle_add_full (G_PRIORITY_LOW, checkpoint_when_idle_cb, self, NULL);
}
