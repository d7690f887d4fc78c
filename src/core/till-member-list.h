/* till-member-list.h: target lists for marketing (members by tier, lapsed,
 * birthday this month, bought a category), as CSV or pushed to a webhook
 *
 * Members who opted out (TillMember.opt_out) and erased members are never
 * on a list. A list with full phone numbers is personal data: making it
 * needs TILL_PERMISSION_VIEW_MEMBER_DATA and is journaled
 * ("member-list-export", naming the list, its size and the user); without
 * the permission a list carries masked phones only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-member.h"
#include "till-permission.h"
#include "till-types.h"

G_BEGIN_DECLS

typedef enum
{
  TILL_MEMBER_LIST_TIER,            /* arg: the tier code */
  TILL_MEMBER_LIST_LAPSED,          /* arg: days without a visit ("90") */
  TILL_MEMBER_LIST_BIRTHDAY_MONTH,  /* arg: NULL (this month) or "1"–"12" */
  TILL_MEMBER_LIST_BOUGHT_CATEGORY, /* arg: a category code (its sub-categories too) */
} TillMemberListKind;

const char *till_member_list_kind_to_string (TillMemberListKind kind);
gboolean    till_member_list_kind_from_string (const char *text, TillMemberListKind *out_kind);

/* The members of the list at @now_us (TillMember, by id); bad @arg is
 * G_IO_ERROR_INVALID_ARGUMENT with the reason. */
GPtrArray *till_member_list_build (TillStore         *store,
                                   TillMemberKey     *key,
                                   TillMemberListKind kind,
                                   const char        *arg,
                                   gint64             now_us,
                                   GError           **error) G_GNUC_WARN_UNUSED_RESULT;

/* CSV (UTF-8, header "id,phone,name,tier,last_visit"): full phone and name
 * when @user may see member data (journaled), masked otherwise. */
char *till_member_list_to_csv (TillStore          *store,
                               TillJournal        *journal,
                               TillMemberKey      *key,
                               TillUser           *user,
                               const TillOverride *override,
                               GPtrArray          *members,
                               const char         *list_name,
                               GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same as the JSON body a marketing webhook receives:
 * {"list": name, "members": [{"id", "phone", "name", "tier"}]}. */
char *till_member_list_to_json (TillStore          *store,
                                TillJournal        *journal,
                                TillMemberKey      *key,
                                TillUser           *user,
                                const TillOverride *override,
                                GPtrArray          *members,
                                const char         *list_name,
                                GError            **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
