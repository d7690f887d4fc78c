/* till-tender-registry.c: the tender drivers a till has, and which the store
 * turned on, in the order the payment screen shows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-tender"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-store.h"
#include "till-tender-registry.h"
#include "till-wallet-payment.h"

#define ENABLED_SETTING "tenders.enabled"

struct _TillTenderRegistry
{
  GObject parent_instance;

  TillStore  *store;
  GHashTable *tenders;        /* id → TillTender */
  GHashTable *warned_unknown; /* ids in the setting without a driver, logged once */
};

G_DEFINE_FINAL_TYPE (TillTenderRegistry, till_tender_registry, G_TYPE_OBJECT)

/* The store's choice, read on every call (a settings read is cheap) so a
 * manager's change applies from the next payment on. Ids are trimmed, empty
 * ones and repeats dropped. */
static GPtrArray *
enabled_ids (TillTenderRegistry *self)
{
  g_autofree char *setting = till_store_get_setting (self->store, ENABLED_SETTING);
  g_auto (GStrv) parts = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  parts = g_strsplit (setting != NULL ? setting : TILL_TENDERS_DEFAULT, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *id = g_strstrip (parts[i]);

      if (*id == '\0' || g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
        continue;
      g_ptr_array_add (ids, g_strdup (id));
    }
  return ids;
}

static void
till_tender_registry_dispose (GObject *object)
{
  TillTenderRegistry *self = (TillTenderRegistry *) object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->tenders, g_hash_table_unref);

  G_OBJECT_CLASS (till_tender_registry_parent_class)->dispose (object);
}

static void
till_tender_registry_finalize (GObject *object)
{
  TillTenderRegistry *self = (TillTenderRegistry *) object;

  g_hash_table_unref (self->warned_unknown);

  G_OBJECT_CLASS (till_tender_registry_parent_class)->finalize (object);
}

static void
till_tender_registry_class_init (TillTenderRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_tender_registry_dispose;
  object_class->finalize = till_tender_registry_finalize;
}

static void
till_tender_registry_init (TillTenderRegistry *self)
{
  self->tenders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->warned_unknown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * till_tender_registry_new:
 *
 * Returns: (transfer full): an empty registry reading "tenders.enabled"
 *   from @store
 */
TillTenderRegistry *
till_tender_registry_new (TillStore *store)
{
  TillTenderRegistry *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_TENDER_REGISTRY, NULL);
  self->store = g_object_ref (store);
  return self;
}

/* Registers @tender under its id, replacing a driver with the same id. */
void
till_tender_registry_add (TillTenderRegistry *self, TillTender *tender)
{
  g_return_if_fail (TILL_IS_TENDER_REGISTRY (self));
  g_return_if_fail (TILL_IS_TENDER (tender));

  g_hash_table_replace (self->tenders, g_strdup (till_tender_get_id (tender)),
                        g_object_ref (tender));
}

/* Returns: (transfer none) (nullable): the driver registered as @id, enabled
 *   or not */
TillTender *
till_tender_registry_lookup (TillTenderRegistry *self, const char *id)
{
  g_return_val_if_fail (TILL_IS_TENDER_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->tenders, id);
}

/**
 * till_tender_registry_list_enabled:
 *
 * Returns: (transfer container) (element-type TillTender): the registered
 *   drivers the store turned on, in the setting's order
 */
GPtrArray *
till_tender_registry_list_enabled (TillTenderRegistry *self)
{
  g_autoptr (GPtrArray) ids = NULL;
  GPtrArray *enabled;

  g_return_val_if_fail (TILL_IS_TENDER_REGISTRY (self), NULL);

  ids = enabled_ids (self);
  enabled = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      TillTender *tender = g_hash_table_lookup (self->tenders, id);

      if (tender != NULL)
        g_ptr_array_add (enabled, g_object_ref (tender));
      else if (g_hash_table_add (self->warned_unknown, g_strdup (id)))
        g_message ("The setting %s names the tender \"%s\", which this till does not have",
                   ENABLED_SETTING, id);
    }
  return enabled;
}

/* Returns: %TRUE when @id has a driver and the store turned it on */
gboolean
till_tender_registry_is_enabled (TillTenderRegistry *self, const char *id)
{
  g_autoptr (GPtrArray) ids = NULL;

  g_return_val_if_fail (TILL_IS_TENDER_REGISTRY (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!g_hash_table_contains (self->tenders, id))
    return FALSE;
  ids = enabled_ids (self);
  return g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL);
}

/**
 * till_tender_registry_route_code:
 * @code: what the scanner read
 *
 * Returns: (transfer none): the QR wallet tender @code belongs to, or %NULL
 *   with @error set: TILL_TENDER_ERROR_NOT_A_CODE when @code is no payment
 *   code, TILL_TENDER_ERROR_DISABLED when its wallet is not taken here
 */
TillTender *
till_tender_registry_route_code (TillTenderRegistry *self, const char *code, GError **error)
{
  TillWalletProvider provider;
  const char        *id;

  g_return_val_if_fail (TILL_IS_TENDER_REGISTRY (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  provider = till_wallet_route_code (code);
  if (provider == TILL_WALLET_NONE)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_NOT_A_CODE,
                   _ ("This is not a payment code: ask the customer to show the WeChat Pay, "
                      "Alipay or UnionPay payment code"));
      return NULL;
    }
  id = till_wallet_provider_to_string (provider);
  if (!till_tender_registry_is_enabled (self, id))
    {
      g_autofree char *label = till_wallet_provider_dup_label (provider);

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DISABLED,
                   _ ("%s is not taken in this shop"), label);
      return NULL;
    }
  return g_hash_table_lookup (self->tenders, id);
}
