#!/usr/bin/perl
# IMAP AUTHENTICATE NTLM or MSN with Authen::NTLM (libauthen-ntlm-perl), an NTLM client that
# shares nothing with the server. Usage: ntlm_imap.pl PORT MECHANISM USER PASSWORD V2(0|1) [DOMAIN]
# Prints nt_len=N (the NT response's length), then the tagged AUTHENTICATE reply as its last line.
use strict;
use warnings;
use IO::Socket::INET;
use Authen::NTLM;
use MIME::Base64;

my ($port, $mech, $user, $password, $v2, $domain) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 10) or die "connect: $!";
sub line { my $l = <$s>; defined $l or die "closed\n"; $l =~ s/\r?\n$//; return $l; }
line();    # greeting
ntlmv2($v2 ? 1 : 0);
ntlm_domain($domain // '');
ntlm_user($user);
ntlm_password($password);
print $s "a1 AUTHENTICATE $mech\r\n";
my $l = line();
die "no continuation: $l\n" unless $l =~ /^\+/;
print $s ntlm(), "\r\n";
$l = line();
if ($l =~ /^\+ (\S+)/) {
    my $type3 = ntlm($1);
    # the NT response's length says which NTLM version was sent (24: v1, more: v2)
    print "nt_len=", unpack('v', substr(decode_base64($type3), 20, 2)), "\n";
    print $s $type3, "\r\n";
    $l = line();
}
print "$l\n";
close $s;
