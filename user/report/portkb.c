// SPDX-License-Identifier: GPL-2.0-only
/*
 * The port knowledge base (portkb.h). Every text is written for scanwatch; "source" names where
 * the facts in it can be checked: the service name comes from IANA's Service Name and Transport
 * Protocol Port Number Registry unless the entry says otherwise, vulnerabilities by their vendor
 * advisory (Microsoft bulletin MSyy-nnn, vendor ids) or CVE identifier, worms and botnets by the
 * public analyses named. The first ten rows are TALOT2's table of October 2009.
 */
#include <string.h>

#include "keyfmt.h"
#include "portkb.h"

const struct portkb_entry portkb[] = {
	/* TALOT2's ten, October 2009 */
	{ "tcp/445", "SMB over TCP (Windows file sharing)",
	  "Windows file and printer sharing. Worms spread here through flaws in the SMB "
	  "service: Sasser (2004), Conficker (MS08-067, 2008), WannaCry and NotPetya "
	  "(MS17-010, 2017); TALOT2 saw it rise 40 % when MS09-050 (SMBv2) was published.",
	  "IANA (microsoft-ds); MS04-011, MS08-067, MS09-050, MS17-010; TALOT2 report 2009-10" },
	{ "tcp/135", "Microsoft RPC endpoint mapper (DCE/RPC)",
	  "The Windows RPC endpoint mapper. The Blaster worm (2003) spread through its DCOM "
	  "flaw; scanners still look for exposed RPC services.",
	  "IANA (epmap); MS03-026 (Blaster); TALOT2 report 2009-10" },
	{ "icmp/echo", "ICMP echo request (ping)",
	  "Ping: asks whether a host is up. Sweeps precede many scans; the Welchia (Nachi) worm "
	  "pinged addresses before attacking them, which flooded networks in 2003.",
	  "RFC 792 (echo); Welchia/Nachi analyses (2003); TALOT2 report 2009-10" },
	{ "tcp/1433", "Microsoft SQL Server",
	  "The default port of Microsoft SQL Server. Scanned for servers to break into with "
	  "guessed 'sa' passwords and for unpatched database flaws.",
	  "IANA (ms-sql-s); TALOT2 report 2009-10" },
	{ "tcp/22", "SSH",
	  "Secure Shell, remote login. The most common target of password guessing: bots try "
	  "lists of user names and passwords to take over servers and devices.",
	  "IANA (ssh); RFC 4253; TALOT2 report 2009-10" },
	{ "tcp/2967", "Symantec AntiVirus / Client Security management",
	  "The management service of Symantec's corporate antivirus. A remote code execution "
	  "flaw in it (2006) was used by Spybot variants to spread.",
	  "Symantec SYM06-010, CVE-2006-2630; TALOT2 report 2009-10" },
	{ "tcp/1434", "Microsoft SQL Server Resolution Service (TCP)",
	  "The SQL Server monitor port. The Slammer worm (2003) hit its UDP side; TCP probes "
	  "look for SQL Server installations.",
	  "IANA (ms-sql-m); MS02-039 (Slammer); TALOT2 report 2009-10" },
	{ "tcp/139", "NetBIOS session service",
	  "The older transport of Windows file sharing. Scanned for open shares and for the same "
	  "SMB flaws as 445/tcp on systems that still speak NetBIOS.",
	  "IANA (netbios-ssn); RFC 1001/1002; TALOT2 report 2009-10" },
	{ "tcp/5900", "VNC remote desktop",
	  "VNC remote desktops. Scanned for screens without a password and for authentication "
	  "flaws such as RealVNC's bypass of 2006.",
	  "IANA (rfb); CVE-2006-2369 (RealVNC); TALOT2 report 2009-10" },
	{ "tcp/4899", "Radmin remote control",
	  "Famatech's Radmin remote administration. Scanned for installations with weak or no "
	  "password, which give full control of the machine.",
	  "IANA (radmin-port); Famatech documentation; TALOT2 report 2009-10" },

	/* Windows and file sharing */
	{ "udp/1434", "Microsoft SQL Server Resolution Service",
	  "SQL Server's browser service. A single UDP packet of the Slammer worm (January 2003) "
	  "infected it; such packets are still seen, as is its use to find SQL servers.",
	  "IANA (ms-sql-m); MS02-039, CVE-2002-0649" },
	{ "udp/137", "NetBIOS name service",
	  "Windows name lookups. Probed to learn machine and workgroup names, and abused for "
	  "reflection.",
	  "IANA (netbios-ns); RFC 1002" },
	{ "tcp/3389", "Remote Desktop Protocol (RDP)",
	  "Windows remote desktop. Heavily scanned for password guessing and ransomware entry, "
	  "and for flaws such as BlueKeep (2019).",
	  "IANA (ms-wbt-server); CVE-2019-0708 (BlueKeep)" },
	{ "tcp/5985", "WinRM over HTTP",
	  "Windows Remote Management. Scanned for remote PowerShell access with stolen or "
	  "guessed credentials.",
	  "IANA (wsman); Microsoft WinRM documentation" },
	{ "tcp/5986", "WinRM over HTTPS",
	  "Windows Remote Management over TLS; scanned as 5985/tcp.",
	  "IANA (wsmans); Microsoft WinRM documentation" },
	{ "tcp/88", "Kerberos",
	  "Kerberos authentication (Active Directory domain controllers). Probed to find domain "
	  "controllers exposed to the Internet.",
	  "IANA (kerberos); RFC 4120" },
	{ "tcp/389", "LDAP",
	  "Directory service (Active Directory). Scanned for open directories "
	  "that answer anonymous queries.",
	  "IANA (ldap); RFC 4511" },
	{ "udp/389", "CLDAP (connectionless LDAP)",
	  "Connectionless LDAP of domain controllers: a small query brings a large answer, so it "
	  "is scanned for use in reflection floods.",
	  "IANA (ldap); US-CERT TA14-017A (UDP amplification)" },
	{ "tcp/636", "LDAP over TLS", "Directory service over TLS; scanned like 389/tcp.",
	  "IANA (ldaps)" },

	/* remote login and administration */
	{ "tcp/23", "Telnet",
	  "Unencrypted remote login. Mirai (2016) and its many descendants log in to routers, "
	  "cameras and recorders with factory passwords here; usually the most scanned port.",
	  "IANA (telnet); Antonakakis et al., Understanding the Mirai Botnet (USENIX Security 2017)" },
	{ "tcp/2323", "Telnet (alternative port)",
	  "A second telnet port of many embedded devices; Mirai scans it beside 23/tcp.",
	  "Mirai source release (2016); Antonakakis et al. (USENIX Security 2017)" },
	{ "tcp/2222", "SSH (alternative port)",
	  "A common alternative SSH port; password guessing follows servers that move there.",
	  "common practice; no IANA assignment for SSH" },
	{ "tcp/21", "FTP",
	  "File transfer. Scanned for anonymous login, writable directories and password "
	  "guessing.",
	  "IANA (ftp); RFC 959" },
	{ "tcp/5901", "VNC display 1", "The second VNC display; scanned as 5900/tcp.",
	  "VNC convention (5900 + display)" },
	{ "tcp/8291", "MikroTik Winbox",
	  "Management of MikroTik routers. A 2018 flaw let anyone read its user database; "
	  "botnets scanned for it widely.",
	  "MikroTik documentation; CVE-2018-14847" },
	{ "tcp/8728", "MikroTik RouterOS API",
	  "The API of MikroTik routers; scanned for exposed routers to take over.",
	  "MikroTik documentation" },
	{ "tcp/10000", "Webmin",
	  "Web administration of Unix servers. A backdoor in some releases "
	  "(2019) made it a scanning target.",
	  "Webmin documentation; CVE-2019-15107" },
	{ "udp/623", "IPMI (RMCP)",
	  "Server baseboard management. Scanned for controllers with default passwords and "
	  "protocol flaws that leak password hashes.",
	  "IANA (asf-rmcp); CVE-2013-4786" },

	/* web */
	{ "tcp/80", "HTTP",
	  "Web servers. Scanned for every web flaw there is: content management systems, "
	  "exposed admin pages, router and camera web interfaces.",
	  "IANA (http); RFC 9110" },
	{ "tcp/443", "HTTPS",
	  "Web servers over TLS, also VPN gateways. Scanned for web flaws and certificates; "
	  "research scanners map it constantly.",
	  "IANA (https); RFC 9110" },
	{ "tcp/8080", "HTTP (alternative)",
	  "Proxies, application servers (Tomcat, Jenkins) and device web interfaces; scanned for "
	  "open proxies and exposed management pages.",
	  "IANA (http-alt)" },
	{ "tcp/8443", "HTTPS (alternative)",
	  "TLS web interfaces of appliances and application servers; scanned like 443/tcp.",
	  "IANA (pcsync-https); common use for alternative HTTPS" },
	{ "tcp/8000", "HTTP (alternative)",
	  "Development web servers and camera and recorder interfaces; scanned for exposed "
	  "devices.",
	  "common use; IANA (irdmi)" },
	{ "tcp/8081", "HTTP (alternative)", "Another alternative web port of proxies and devices.",
	  "common use; IANA (sunproxyadmin)" },
	{ "tcp/8888", "HTTP (alternative)",
	  "Alternative web port of notebooks, proxies and admin panels; scanned for exposed ones.",
	  "common use; IANA (ddi-tcp-1)" },
	{ "tcp/81", "HTTP (alternative)",
	  "Web interfaces of cameras and recorders; botnets of the Mirai family scan it for "
	  "camera exploits.",
	  "common use; Mirai-variant analyses" },
	{ "tcp/3128", "Squid web proxy",
	  "The default port of the Squid proxy: scanned for open "
	  "proxies to hide traffic behind.",
	  "Squid documentation" },
	{ "tcp/1080", "SOCKS proxy",
	  "SOCKS proxies: scanned for open ones to relay attacks and "
	  "spam through.",
	  "IANA (socks); RFC 1928" },
	{ "tcp/9000", "various (PHP-FPM, Portainer, SonarQube)",
	  "Used by many applications; scanned for exposed FastCGI and management interfaces.",
	  "vendor documentation" },

	/* databases and caches */
	{ "tcp/3306", "MySQL",
	  "MySQL and MariaDB. Scanned for databases open to the Internet and "
	  "for password guessing; exposed ones get ransomed.",
	  "IANA (mysql)" },
	{ "tcp/5432", "PostgreSQL",
	  "PostgreSQL databases; scanned for password guessing, then used for cryptomining.",
	  "IANA (postgresql)" },
	{ "tcp/6379", "Redis",
	  "Redis, which by default had no password: attackers write files through it to take "
	  "over servers and mine cryptocurrency.",
	  "Redis security documentation" },
	{ "tcp/27017", "MongoDB",
	  "MongoDB; thousands of open databases were wiped and held for ransom in 2017.",
	  "MongoDB security documentation; public reports of the 2017 ransom wave" },
	{ "tcp/9200", "Elasticsearch",
	  "Elasticsearch's REST interface: open indices leak data; old versions ran scripts "
	  "sent to them.",
	  "Elastic documentation; CVE-2014-3120, CVE-2015-1427" },
	{ "udp/11211", "memcached",
	  "memcached over UDP answers a small request with a huge reply: the 2018 reflection "
	  "floods of more than 1 Tb/s came from it.",
	  "IANA (memcache); CVE-2018-1000115" },
	{ "tcp/11211", "memcached", "memcached's TCP side; scanned for open caches.",
	  "IANA (memcache)" },

	/* containers and clusters */
	{ "tcp/2375", "Docker API (no TLS)",
	  "Docker's unencrypted API: whoever reaches it runs containers, which miners do.",
	  "Docker documentation (protect the daemon socket)" },
	{ "tcp/2376", "Docker API (TLS)", "Docker's API with TLS; scanned for misconfigured ones.",
	  "Docker documentation" },
	{ "tcp/6443", "Kubernetes API server",
	  "The Kubernetes control plane; scanned for clusters that allow anonymous access.",
	  "Kubernetes documentation" },
	{ "tcp/10250", "Kubernetes kubelet",
	  "The node agent of Kubernetes; an open one runs commands in any container.",
	  "Kubernetes documentation" },

	/* mail */
	{ "tcp/25", "SMTP",
	  "Mail transfer. Scanned for open relays to send spam through and for "
	  "mail server flaws.",
	  "IANA (smtp); RFC 5321" },
	{ "tcp/587", "SMTP submission",
	  "Mail submission; scanned for password guessing to send "
	  "spam from real accounts.",
	  "IANA (submission); RFC 6409" },
	{ "tcp/465", "SMTP over TLS", "Mail submission over TLS; scanned like 587/tcp.",
	  "IANA (submissions); RFC 8314" },
	{ "tcp/110", "POP3", "Mail retrieval; scanned for password guessing.",
	  "IANA (pop3); RFC 1939" },
	{ "tcp/143", "IMAP", "Mail access; scanned for password guessing.",
	  "IANA (imap); RFC 9051" },
	{ "tcp/993", "IMAP over TLS", "Mail access over TLS; scanned for password guessing.",
	  "IANA (imaps)" },
	{ "tcp/995", "POP3 over TLS", "Mail retrieval over TLS; scanned for password guessing.",
	  "IANA (pop3s)" },

	/* UDP services abused for reflection and discovery */
	{ "udp/53", "DNS",
	  "Name service. Scanned for open resolvers, which answer anyone and amplify floods; "
	  "also the commonest UDP probe of research scanners.",
	  "IANA (domain); US-CERT TA13-088A (open resolvers)" },
	{ "tcp/53", "DNS over TCP", "Name service over TCP: zone transfers and large answers.",
	  "IANA (domain); RFC 7766" },
	{ "udp/123", "NTP",
	  "Time service. Its old 'monlist' command answers 200 times the request: scanned for "
	  "servers to reflect floods off.",
	  "IANA (ntp); CVE-2013-5211" },
	{ "udp/161", "SNMP",
	  "Device management. Scanned for the default 'public' community, which reveals a "
	  "device's configuration and amplifies floods.",
	  "IANA (snmp); RFC 3416; US-CERT TA14-017A" },
	{ "udp/1900", "SSDP (UPnP discovery)",
	  "UPnP discovery of home routers and devices: answers reveal the device and amplify "
	  "floods.",
	  "IANA (ssdp); US-CERT TA14-017A" },
	{ "udp/5060", "SIP",
	  "Voice over IP signalling. Scanned for phone systems to make "
	  "fraudulent calls through (SIPVicious-style sweeps).",
	  "IANA (sip); RFC 3261" },
	{ "tcp/5060", "SIP over TCP", "Voice over IP signalling over TCP; scanned like 5060/udp.",
	  "IANA (sip)" },
	{ "udp/19", "chargen",
	  "Character generator: answers any packet with a stream of text, an "
	  "old reflection source.",
	  "IANA (chargen); RFC 864; US-CERT TA14-017A" },
	{ "udp/17", "Quote of the Day",
	  "Answers any packet with a quote: a small reflection "
	  "source.",
	  "IANA (qotd); RFC 865; US-CERT TA14-017A" },
	{ "udp/69", "TFTP",
	  "Trivial file transfer, used to boot and configure devices; scanned for "
	  "configuration files to download.",
	  "IANA (tftp); RFC 1350" },
	{ "udp/111", "ONC RPC portmapper",
	  "Lists a Unix host's RPC services (NFS); answers amplify floods.",
	  "IANA (sunrpc); RFC 1833; US-CERT TA14-017A" },
	{ "tcp/111", "ONC RPC portmapper",
	  "The portmapper over TCP; reveals NFS and other RPC "
	  "services.",
	  "IANA (sunrpc); RFC 1833" },
	{ "udp/3702", "WS-Discovery",
	  "Web Services Discovery of printers and cameras; answers amplify floods (2019).",
	  "IANA (ws-discovery); OASIS WS-Discovery 1.1" },
	{ "udp/5353", "mDNS",
	  "Multicast DNS; hosts answering from the Internet leak names and "
	  "amplify floods.",
	  "IANA (mdns); RFC 6762" },
	{ "udp/500", "IKE (IPsec VPN)",
	  "Key exchange of IPsec VPN gateways; scanned to find and "
	  "fingerprint VPNs.",
	  "IANA (isakmp); RFC 7296" },
	{ "udp/4500", "IPsec NAT traversal", "IPsec behind NAT; scanned with 500/udp.",
	  "IANA (ipsec-nat-t); RFC 3948" },
	{ "tcp/1723", "PPTP VPN",
	  "An old VPN protocol; scanned for gateways with guessable "
	  "passwords.",
	  "IANA (pptp); RFC 2637" },

	/* devices and IoT */
	{ "tcp/7547", "TR-069 (CWMP)",
	  "How providers manage customer routers. In November 2016 a Mirai variant took over "
	  "routers of Deutsche Telekom and others through it.",
	  "IANA (cwmp); Broadband Forum TR-069; public analyses of the 2016 attack" },
	{ "tcp/5555", "Android Debug Bridge",
	  "Android's debugging bridge, left open on TV boxes and phones: botnets (ADB.Miner, "
	  "2018) install themselves through it.",
	  "Android developer documentation; ADB.Miner analyses (2018)" },
	{ "tcp/37215", "Huawei HG532 UPnP",
	  "A command injection in Huawei HG532 routers (2017) used by Satori and other Mirai "
	  "variants.",
	  "CVE-2017-17215" },
	{ "tcp/52869", "Realtek SDK UPnP (miniigd)",
	  "A command injection in routers built on Realtek's SDK, used by Mirai variants.",
	  "CVE-2014-8361" },
	{ "tcp/49152", "UPnP and device services",
	  "The first dynamic port; many devices put UPnP "
	  "and management services there.",
	  "IANA (dynamic range); vendor documentation" },
	{ "tcp/5000", "UPnP, NAS web interfaces",
	  "UPnP of routers and the web interface of "
	  "Synology NAS; scanned for both.",
	  "vendor documentation" },
	{ "tcp/554", "RTSP (camera streams)",
	  "Video streams of IP cameras; scanned for cameras "
	  "without a password.",
	  "IANA (rtsp); RFC 7826" },
	{ "tcp/9530", "Xiongmai DVR debug service",
	  "A hidden telnet-enabling service of Xiongmai video recorders, used by botnets.",
	  "public analyses of Xiongmai devices (2020)" },
	{ "tcp/34567", "Xiongmai DVR control",
	  "Control protocol of Xiongmai cameras and "
	  "recorders; scanned for default credentials.",
	  "public analyses of Xiongmai devices" },
	{ "tcp/1883", "MQTT",
	  "IoT message broker; open brokers leak sensor data and accept "
	  "commands.",
	  "IANA (mqtt); OASIS MQTT 5.0" },

	/* industrial control */
	{ "tcp/502", "Modbus",
	  "Industrial control (PLCs). Scanned by researchers and attackers "
	  "alike; Modbus has no authentication.",
	  "IANA (mbap); Modbus Organization specification" },
	{ "tcp/102", "Siemens S7 (ISO-TSAP)",
	  "Siemens S7 PLCs; scanned to find industrial "
	  "controllers on the Internet.",
	  "IANA (iso-tsap); RFC 1006" },
	{ "udp/47808", "BACnet",
	  "Building automation (heating, access control); scanned to find "
	  "exposed controllers.",
	  "IANA (bacnet); ASHRAE 135" },
	{ "tcp/20000", "DNP3",
	  "Control of power and water utilities; scanned to find exposed "
	  "outstations.",
	  "IANA (dnp); IEEE 1815" },

	/* other ports often seen */
	{ "tcp/4444", "Metasploit default, Blaster's shell",
	  "The default listener of Metasploit "
	  "payloads and the shell Blaster opened; "
	  "scanned for compromised hosts.",
	  "MS03-026 (Blaster); Metasploit documentation" },
	{ "tcp/6667", "IRC", "Internet Relay Chat; old botnets were controlled through it.",
	  "IANA (ircu); RFC 2812" },
	{ "tcp/873", "rsync", "rsync daemons; open modules leak or accept files.", "IANA (rsync)" },
	{ "tcp/2049", "NFS", "Network File System; open exports leak files.",
	  "IANA (nfs); RFC 7530" },
	{ "tcp/179", "BGP", "Routing between networks; probed to find routers that talk BGP.",
	  "IANA (bgp); RFC 4271" },
	{ "tcp/5357", "WSDAPI",
	  "Web Services on Devices (Windows network discovery); a 2009 "
	  "flaw (MS09-063) made it a target.",
	  "IANA (wsdapi); MS09-063" },

	/* ICMP answers: backscatter of floods */
	{ "icmp/0", "ICMP echo reply (backscatter)",
	  "Replies to pings nobody here sent: a victim answering pings whose source was forged "
	  "as this sensor, the backscatter of an ICMP flood.",
	  "RFC 792; Moore et al., Inferring Internet Denial-of-Service Activity (2001)" },
	{ "icmp/3", "ICMP destination unreachable (backscatter)",
	  "A router or host saying it could not deliver a packet that claimed to come from "
	  "here: backscatter of spoofed traffic.",
	  "RFC 792; Moore et al. (2001)" },
	{ "icmp/11", "ICMP time exceeded (backscatter)",
	  "A router saying a packet that claimed to come from here ran out of hops: "
	  "backscatter of spoofed traffic or of a routing loop.",
	  "RFC 792; Moore et al. (2001)" },
	{ "icmp6/129", "ICMPv6 echo reply (backscatter)", "The IPv6 form of icmp/0.", "RFC 4443" },
	{ "icmp6/1", "ICMPv6 destination unreachable (backscatter)", "The IPv6 form of icmp/3.",
	  "RFC 4443" },
	{ "icmp6/3", "ICMPv6 time exceeded (backscatter)", "The IPv6 form of icmp/11.",
	  "RFC 4443" },
	{ "frag", "non-first IP fragments",
	  "Pieces of fragmented packets without a transport header: floods of fragments, or "
	  "tools that fragment to slip past filters.",
	  "RFC 791; RFC 8200 (IPv6 fragments)" },
};

const size_t portkb_len = sizeof(portkb) / sizeof(portkb[0]);

const struct portkb_entry *portkb_find_str(const char *key)
{
	for (size_t i = 0; i < portkb_len; i++)
		if (!strcmp(portkb[i].key, key))
			return &portkb[i];
	return NULL;
}

const struct portkb_entry *portkb_find(const struct sw_key *key)
{
	char s[SW_KEY_STRLEN];

	sw_key_str(key, s);
	return portkb_find_str(s);
}
