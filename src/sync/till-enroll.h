/* till-enroll.h: joining a till to HQ with a one-time token
 *
 * The till makes its own client key (EC P-256, never leaves the till) and a
 * certificate request, opens TLS to @url trusting only a CA whose hash is
 * the token's pin, and posts the token, the request and its journal's public
 * key. HQ answers with the till id, the store, a new epoch, the signed
 * certificate, its CA and its ack key; they are saved under @dir
 * (sync-key.pem 0600, sync-cert.pem, hq-ca.pem) and as the till's sync
 * identity (till-sync-state.h), with a journal entry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <till-core.h>

G_BEGIN_DECLS

TillSyncIdentity *till_enroll (TillStore   *store,
                               TillJournal *journal,
                               const char  *url,
                               const char  *token,
                               const char  *dir,
                               GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
