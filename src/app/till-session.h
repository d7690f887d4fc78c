/* till-session.h: the open till: its store, catalog, journal, cart and cashier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <till-core.h>

G_BEGIN_DECLS

/* Properties: "user" (TillUser, nullable, notify): who is signed in. */
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
/* The store's name for the screen, e.g. "便利店 (中关村店)". */
char *till_session_dup_store_name (TillSession *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
