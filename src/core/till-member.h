/* till-member.h: members (会员): registration at the till, finding a member,
 * and their personal data kept as PIPL asks
 *
 * A member is known by an id (UUIDv7 text), a phone number, optionally a
 * member card number and a member QR code. Phone, name and birthday are
 * stored only sealed with the TillMemberKey (table member, migration 10):
 * the phone also as its keyed hash for lookups and as the masked text
 * 138****1234 for the screen; nothing in the database file holds a phone
 * number in plain text. Full values are opened only for a user with
 * TILL_PERMISSION_VIEW_MEMBER_DATA (or a supervisor's override), and each
 * opening is journaled ("member-view"). Registration, changes, export and
 * erasure are journaled and queued for HQ (outbox kind "member", payload
 * with the sealed fields, never plain ones).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-member-key.h"
#include "till-permission.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_MEMBER_ERROR (till_member_error_quark ())

typedef enum
{
  TILL_MEMBER_ERROR_FAILED,
  TILL_MEMBER_ERROR_PHONE,     /* not a mainland mobile number (11 digits, 1[3-9]…) */
  TILL_MEMBER_ERROR_BIRTHDAY,  /* not a date (YYYY-MM-DD, or MM-DD) in the past */
  TILL_MEMBER_ERROR_EXISTS,    /* the phone or card is already a member's */
  TILL_MEMBER_ERROR_NOT_FOUND, /* no member has this phone, card or QR */
  TILL_MEMBER_ERROR_QR,        /* a member QR that is malformed or forged */
  TILL_MEMBER_ERROR_ERASED,    /* the member's data was erased on request */
} TillMemberError;

GQuark till_member_error_quark (void);

/* A member as the till shows them: masked, never the plain personal data. */
typedef struct
{
  char *id;
  char *card_no;      /* member card number, NULL when none */
  char *phone_masked; /* "138****1234" */
  char *name_masked;  /* "王*丽", "王*"; "" when no name was given */
  char *tier;         /* tier code (till-loyalty.h), "" before the first evaluation */
  guint birth_month;  /* 1–12, 0 unknown: for birthday perks (opened from the sealed
                         birthday when the member is loaded; never stored in plain) */
  guint    birth_day; /* 1–31, 0 unknown */
  gint64   registered_us;
  char    *store_id; /* where they registered, "" unknown */
  gboolean opt_out;  /* no marketing messages */
  gboolean erased;   /* personal data erased on request: kept only as an id */
} TillMember;

TillMember *till_member_copy (const TillMember *member);
void        till_member_free (TillMember *member);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillMember, till_member_free)

/* What a cashier types at registration. */
typedef struct
{
  const char *phone;    /* required: "13812341234", spaces and dashes allowed */
  const char *name;     /* optional */
  const char *birthday; /* optional: "1990-05-17" or "05-17" */
  const char *card_no;  /* optional: a member card handed over */
  gboolean    opt_out;  /* the customer declined marketing messages */
} TillMemberSpec;

/* "13812341234" from what was typed, or NULL with TILL_MEMBER_ERROR_PHONE. */
char *till_member_normalize_phone (const char *typed, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* "138****1234": the first 3 and the last 4 digits. */
char *till_member_mask_phone (const char *phone) G_GNUC_WARN_UNUSED_RESULT;
/* "王小丽" → "王*丽", "王丽" → "王*", "Alice" → "A****". */
char *till_member_mask_name (const char *name) G_GNUC_WARN_UNUSED_RESULT;

/* Registers a member in one transaction (member row, journal entry
 * "member-register" naming @user, outbox row). Any user may register.
 * TILL_MEMBER_ERROR_PHONE / _BIRTHDAY / _EXISTS on bad input. */
TillMember *till_member_register (TillStore            *store,
                                  TillJournal          *journal,
                                  TillMemberKey        *key,
                                  TillUser             *user,
                                  const TillMemberSpec *spec,
                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;

/* Finding a member: by phone (through its keyed hash), by card number, by
 * member QR (till_member_qr_payload), by id; or by whatever was scanned or
 * typed (till_member_find: a phone number, a card number or a QR).
 * TILL_MEMBER_ERROR_NOT_FOUND when none; an erased member is found by id
 * only. */
TillMember *till_member_find_by_phone (TillStore     *store,
                                       TillMemberKey *key,
                                       const char    *phone,
                                       GError       **error) G_GNUC_WARN_UNUSED_RESULT;
TillMember *till_member_find_by_card (TillStore     *store,
                                      TillMemberKey *key,
                                      const char    *card_no,
                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;
TillMember *till_member_find_by_qr (TillStore     *store,
                                    TillMemberKey *key,
                                    const char    *payload,
                                    GError       **error) G_GNUC_WARN_UNUSED_RESULT;
TillMember *till_member_load (TillStore *store, TillMemberKey *key, const char *id, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
TillMember *till_member_find (TillStore     *store,
                              TillMemberKey *key,
                              const char    *code,
                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
/* Whether @code looks like a member QR ("OTM1|…"), for scan routing. */
gboolean till_member_is_qr (const char *code);
/* "OTM1|<id>|<tag>": what a member card or the member's phone shows as QR;
 * the tag (till_member_key_tag of the id) makes a forged one fail. */
char *till_member_qr_payload (TillMemberKey *key, const char *id) G_GNUC_WARN_UNUSED_RESULT;

/* The member's full personal data, for a permitted user only (see the top of
 * this file): TILL_PERMISSION_ERROR_* otherwise. Each call is journaled.
 * Strings are NULL when not given. */
typedef struct
{
  char *phone;
  char *name;
  char *birthday; /* "1990-05-17" or "05-17" */
} TillMemberPersonal;

void till_member_personal_free (TillMemberPersonal *personal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillMemberPersonal, till_member_personal_free)

TillMemberPersonal *till_member_open_personal (TillStore          *store,
                                               TillJournal        *journal,
                                               TillMemberKey      *key,
                                               TillUser           *user,
                                               const TillOverride *override,
                                               const char         *id,
                                               GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* Changes the member's tier (till-loyalty does, by rule) or marketing
 * choice, journaled; inside the caller's transaction when one is open. */
gboolean till_member_set_tier (TillStore *store, const char *id, const char *tier, GError **error);
gboolean till_member_set_opt_out (TillStore   *store,
                                  TillJournal *journal,
                                  TillUser    *user,
                                  const char  *id,
                                  gboolean     opt_out,
                                  GError     **error);

/* PIPL requests, with TILL_PERMISSION_VIEW_MEMBER_DATA:
 * export: everything the till holds on the member as one JSON document
 * (personal data opened, purchases, points and stored-value ledgers),
 * journaled "member-export";
 * erase: the phone, name, birthday, hash and card are wiped in one
 * transaction (the sealed values overwritten, the row kept as an id so that
 * sales and ledgers still add up), journaled "member-erase" and queued for
 * HQ; the member can no longer be found by phone, card or QR. */
char    *till_member_export (TillStore          *store,
                             TillJournal        *journal,
                             TillMemberKey      *key,
                             TillUser           *user,
                             const TillOverride *override,
                             const char         *id,
                             GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean till_member_erase (TillStore          *store,
                            TillJournal        *journal,
                            TillUser           *user,
                            const TillOverride *override,
                            const char         *id,
                            GError            **error);

G_END_DECLS
