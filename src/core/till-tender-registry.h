/* till-tender-registry.h: the tender drivers a till has, and which the store
 * turned on, in the order the payment screen shows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-tender.h"
#include "till-types.h"

G_BEGIN_DECLS

/* The store's choice: setting "tenders.enabled", the tender ids in screen
 * order, comma separated. Default when unset: */
#define TILL_TENDERS_DEFAULT "cash,wechat,alipay,unionpay,card,stored-value,points,voucher"

#define TILL_TYPE_TENDER_REGISTRY (till_tender_registry_get_type ())
G_DECLARE_FINAL_TYPE (TillTenderRegistry, till_tender_registry, TILL, TENDER_REGISTRY, GObject)

/* An empty registry reading "tenders.enabled" from @store. */
TillTenderRegistry *till_tender_registry_new (TillStore *store);
/* Registers a driver under its id (replacing one with the same id). */
void        till_tender_registry_add (TillTenderRegistry *self, TillTender *tender);
TillTender *till_tender_registry_lookup (TillTenderRegistry *self, const char *id);
/* The registered drivers the store turned on, in its order (TillTender,
 * transfer container). Ids in the setting without a driver are skipped, and
 * logged once. */
GPtrArray *till_tender_registry_list_enabled (TillTenderRegistry *self);
gboolean   till_tender_registry_is_enabled (TillTenderRegistry *self, const char *id);
/* The QR wallet tender a scanned 付款码 goes to, by its prefix
 * (till_wallet_route_code): TILL_TENDER_ERROR_NOT_A_CODE for anything
 * else, TILL_TENDER_ERROR_DISABLED when that wallet is not on. */
TillTender *
till_tender_registry_route_code (TillTenderRegistry *self, const char *code, GError **error);

G_END_DECLS
