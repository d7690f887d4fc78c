/* till-core.h: the shop's rules, without a screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define TILL_CORE_INSIDE
#include "till-types.h"
#include "till-barcode.h"
#include "till-cart-line.h"
#include "till-cart.h"
#include "till-catalog.h"
#include "till-category.h"
#include "till-demo.h"
#include "till-drawer.h"
#include "till-held-sale.h"
#include "till-journal.h"
#include "till-label-barcode.h"
#include "till-master-data.h"
#include "till-local-tenders.h"
#include "till-money.h"
#include "till-outbox.h"
#include "till-payment.h"
#include "till-permission.h"
#include "till-pinyin.h"
#include "till-pricing.h"
#include "till-print-queue.h"
#include "till-promotion.h"
#include "till-product.h"
#include "till-return.h"
#include "till-sale-note.h"
#include "till-sale.h"
#include "till-store.h"
#include "till-sync-state.h"
#include "till-tender-registry.h"
#include "till-tender.h"
#include "till-user.h"
#include "till-uuid.h"
#include "till-wallet-payment.h"
#undef TILL_CORE_INSIDE
