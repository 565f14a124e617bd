/*
 * Identity numbers an application carries, checked by their check
 * characters at the door (the database checks them again, sql/migrations/
 * 0041_apply_checks.sql, with the same rules):
 *
 *   resident identity number (公民身份号码), GB 11643-1999: 17 digits and
 *   the ISO 7064 MOD 11-2 check character (0-9 or X), a real date of
 *   birth from 1900 on at characters 7..14;
 *
 *   unified social credit code (统一社会信用代码), GB 32100-2015: 18
 *   characters of 0-9 and the 21 letters the standard uses (no I, O, S,
 *   V, Z), the last one the check character (weights 3^i mod 31).
 *
 * The input is normalised first as the database does: blanks (also the
 * ideographic space) and '-' removed, full-width digits and x/X made
 * ASCII, letters upper-cased.
 */

#ifndef _NGX_HTTP_GONGKAI_CHECK_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_CHECK_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* longest input the checks look at, in bytes; longer is invalid */
#define NGX_HTTP_GONGKAI_CHECK_MAX  128


/* 1 if p (len bytes, as typed) is a valid resident identity number */
ngx_uint_t ngx_http_gongkai_resident_id_valid(u_char *p, size_t len);

/* 1 if p (len bytes, as typed) is a valid unified social credit code */
ngx_uint_t ngx_http_gongkai_credit_code_valid(u_char *p, size_t len);

/*
 * The normalised form of p into out (at least
 * NGX_HTTP_GONGKAI_CHECK_MAX bytes); returns its length, or 0 when the
 * input is too long or holds a byte sequence that cannot belong to such
 * a number (anything but ASCII, the ideographic space, full-width digits
 * and full-width x/X).
 */
size_t ngx_http_gongkai_check_normal(u_char *p, size_t len, u_char *out);


#endif /* _NGX_HTTP_GONGKAI_CHECK_H_INCLUDED_ */
