/* till-session.h: the open till: its store, catalog, journal, cart and cashier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <till-core.h>
#include <till-sync-worker.h>
#include <till-wallet-service.h>

G_BEGIN_DECLS

/* Properties: "user" (TillUser, nullable, notify): who is signed in;
 * "payment" (TillPayment, notify): the tenders applied to the open cart,
 * a new one whenever the cart starts a new sale. */
#define TILL_TYPE_SESSION (till_session_get_type ())
G_DECLARE_FINAL_TYPE (TillSession, till_session, TILL, SESSION, GObject)

/* Opens (creating if needed) the database at db_path and the journal key at
 * key_path, fills an empty store with the demo shop when demo_skus > 0, and
 * restores the cart a killed till left behind. */
TillSession *till_session_open (const char *db_path,
                                const char *key_path,
                                guint       demo_skus,
                                GError    **error) G_GNUC_WARN_UNUSED_RESULT;

TillStore   *till_session_get_store (TillSession *self);
TillCatalog *till_session_get_catalog (TillSession *self);
TillJournal *till_session_get_journal (TillSession *self);
TillCart    *till_session_get_cart (TillSession *self);
TillUser    *till_session_get_user (TillSession *self);
void         till_session_set_user (TillSession *self, TillUser *user);
void         till_session_checkpoint_when_idle (TillSession *self);
/* The tender drivers: cash, bank card, stored value and vouchers from the
 * start, each QR wallet once its client is added; which are on, and their
 * order, is the store's setting (till-tender-registry.h). */
TillTenderRegistry *till_session_get_tenders (TillSession *self);
TillWalletService  *till_session_get_wallet_service (TillSession *self);
/* Gives @client's provider to the wallet service (with @cadence, NULL: the
 * provider's) and registers that wallet's tender. */
void         till_session_add_wallet_client (TillSession             *self,
                                             TillWalletClient        *client,
                                             const TillWalletCadence *cadence);
TillPayment *till_session_get_payment (TillSession *self);
/* Reads the open cart's applied tenders again (a resumed wallet attempt
 * was confirmed paid). */
gboolean till_session_reload_payment (TillSession *self, GError **error);

/* The background sync with HQ (made with the session, stopped; the
 * application starts it). till_session_kick_sync() after every document
 * the till records: it goes to HQ at once. */
TillSyncWorker *till_session_get_sync_worker (TillSession *self);
void            till_session_kick_sync (TillSession *self);

/* Members (issue 9): the key their personal data is sealed with (the file
 * member.key beside the journal's key), and the suggestions for a member's
 * sale (trained on the last 90 days at start, again after each 50 sales).
 * The session runs the loyalty upkeep (till_loyalty_run_daily: points
 * expiry, tiers, birthday coupons) once the main loop is idle after it
 * opened, then every 24 hours; a failure is logged, never fatal. */
TillMemberKey   *till_session_get_member_key (TillSession *self);
TillRecommender *till_session_get_recommender (TillSession *self);

/* The store's name for the screen, e.g. "便利店 (中关村店)". */
char *till_session_dup_store_name (TillSession *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
