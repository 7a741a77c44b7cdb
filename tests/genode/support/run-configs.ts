/**
 * The init configurations of Genode's run scripts at tag 24.11 (reference/genode.md §7), as test
 * inputs: log.run verbatim, vfs_block.run verbatim, ping.run with dst_ip 10.0.2.2 (QEMU) and a
 * scaled-down drivers subsystem, bomb.run scaled down (fewer rounds, generations and RAM).
 */
const PP_DEVICES = `<parent-provides>
  <service name="ROM"/> <service name="IRQ"/> <service name="IO_MEM"/> <service name="IO_PORT"/>
  <service name="PD"/> <service name="RM"/> <service name="CPU"/> <service name="LOG"/>
</parent-provides>`;

export const LOG_RUN = `<config>
  <parent-provides> <service name="LOG"/> <service name="PD"/> <service name="CPU"/> <service name="ROM"/> </parent-provides>
  <default-route> <any-service> <parent/> </any-service> </default-route>
  <default caps="50"/>
  <start name="test-log"> <resource name="RAM" quantum="10M"/> </start>
</config>`;

export const LOG_RUN_EXPECTED = [
  "[init -> test-log] hex range:          [0e00,1680)",
  "[init -> test-log] empty hex range:    [0abc0000,0abc0000) (empty!)",
  "[init -> test-log] hex range to limit: [f8,ff]",
  "[init -> test-log] invalid hex range:  [f8,08) (overflow!)",
  "[init -> test-log] negative hex char:  0xfe",
  "[init -> test-log] positive hex char:  0x02",
  "[init -> test-log] floating point:     1.70",
  '[init -> test-log] multiarg string:    "parent -> child.7"',
  "[init -> test-log] String(Hex(3)):     0x3",
  "[init -> test-log] Very long messages:",
  `[init -> test-log -> log] 1${".".repeat(229)}2`,
  `[init -> test-log] 3${".".repeat(229)}4`,
  `[init -> test-log] 5${".".repeat(229)}6`,
  "[init -> test-log] ",
  "[init -> test-log] Test done.",
];

export const VFS_BLOCK_RUN = `<config verbose="no">
  ${PP_DEVICES}
  <default-route> <any-service> <parent/> <any-child/> </any-service> </default-route>
  <default caps="100"/>
  <start name="timer"> <resource name="RAM" quantum="1M"/> <provides><service name="Timer"/></provides> </start>
  <start name="vfs">
    <resource name="RAM" quantum="38M"/>
    <provides> <service name="File_system"/> </provides>
    <config>
      <vfs> <ram/> <import> <zero name="vfs_block.raw" size="32M"/> </import> </vfs>
      <policy label_prefix="vfs_block" root="/" writeable="yes"/>
    </config>
    <route> <any-service> <parent/> </any-service> </route>
  </start>
  <start name="vfs_block" caps="120">
    <resource name="RAM" quantum="5M"/>
    <provides> <service name="Block"/> </provides>
    <config>
      <vfs> <fs buffer_size="4M" label="backend"/> </vfs>
      <policy label_prefix="block_tester" file="/vfs_block.raw" block_size="512" writeable="yes"/>
    </config>
    <route>
      <service name="File_system"> <child name="vfs"/> </service>
      <any-service> <parent/> </any-service>
    </route>
  </start>
  <start name="block_tester" caps="200">
    <resource name="RAM" quantum="64M"/>
    <config verbose="no" report="no" log="yes" stop_on_error="no">
      <tests>
        <sequential length="32M" size="4K"   batch="128"/>
        <sequential length="32M" size="8K"   batch="128"/>
        <random     length="32M" size="512K" seed="0xc0ffee"/>
        <ping_pong  length="32M" size="16K"/>
        <sequential length="32M" size="64K" batch="128" write="yes"/>
        <replay verbose="no" batch="128">
          <request type="read" lba="0" count="1"/>
          <request type="read" lba="2048" count="1016"/>
          <request type="write" lba="0" count="1"/>
          <request type="read" lba="1024" count="2048"/>
          <request type="write" lba="4096" count="2048"/>
          <request type="sync" lba="0" count="1"/>
        </replay>
      </tests>
    </config>
    <route>
      <service name="Block"><child name="vfs_block"/></service>
      <any-service> <parent/> <any-child /> </any-service>
    </route>
  </start>
</config>`;

/** The drivers subsystem's config ROM: a NIC driver whose Uplink goes to the outer nic_router. */
export const DRIVERS_CONFIG = `<config>
  <parent-provides> <service name="ROM"/> <service name="PD"/> <service name="CPU"/> <service name="LOG"/> <service name="Uplink"/> </parent-provides>
  <default-route> <any-service> <parent/> </any-service> </default-route>
  <default caps="100"/>
  <start name="nic_drv" ram="4M"/>
</config>`;

export const PING_RUN = `<config>
  ${PP_DEVICES}
  <default-route> <any-service> <parent/> <any-child/> </any-service> </default-route>
  <default caps="100"/>
  <start name="timer"> <resource name="RAM" quantum="1M"/> <provides><service name="Timer"/></provides> </start>
  <start name="drivers" caps="1200" managing_system="yes">
    <resource name="RAM" quantum="32M"/>
    <binary name="init"/>
    <route>
      <service name="ROM" label="config"> <parent label="drivers.config"/> </service>
      <service name="Uplink"> <child name="nic_router"/> </service>
      <any-service> <parent/> <any-child/> </any-service>
    </route>
  </start>
  <start name="report_rom" caps="200">
    <resource name="RAM" quantum="1M"/>
    <provides> <service name="ROM"/> <service name="Report"/> </provides>
    <config verbose="yes"/>
  </start>
  <start name="nic_router" caps="200">
    <resource name="RAM" quantum="10M"/>
    <provides> <service name="Nic"/> <service name="Uplink"/> </provides>
    <config dhcp_discover_timeout_sec="1">
      <policy label_prefix="drivers" domain="uplink"/>
      <policy label_prefix="ping"    domain="downlink"/>
      <domain name="uplink"> <nat domain="downlink" icmp-ids="100" udp-ports="100"/> </domain>
      <domain name="downlink" interface="10.0.3.1/24">
        <dhcp-server ip_first="10.0.3.100" ip_last="10.0.3.200"/>
        <icmp dst="10.0.2.2/24" domain="uplink"/>
        <udp dst="10.0.2.2/24"> <permit port="12345" domain="uplink"/> </udp>
      </domain>
    </config>
  </start>
  <start name="ping_1">
    <binary name="ping"/>
    <resource name="RAM" quantum="8M"/>
    <config dst_ip="10.0.2.2" period_sec="1" report="yes" verbose="no" count="3"/>
    <route>
      <service name="Report"> <child name="report_rom"/> </service>
      <service name="Nic"> <child name="nic_router"/> </service>
      <any-service> <parent/> <any-child/> </any-service>
    </route>
  </start>
</config>`;

/** bomb.run with rounds=2 generations=2 children=2 sleep=100 demand=1M and 64M instead of 2G. */
export const BOMB_RUN = `<config prio_levels="2">
  ${PP_DEVICES}
  <default-route> <any-service> <parent/> <any-child/> </any-service> </default-route>
  <resource name="RAM" preserve="2M"/>
  <resource name="CAP" preserve="100"/>
  <start name="timer" caps="100">
    <resource name="CPU" quantum="10"/>
    <resource name="RAM" quantum="1M"/>
    <provides><service name="Timer"/></provides>
  </start>
  <start name="bomb-master" priority="-1" caps="5000">
    <binary name="bomb"/>
    <resource name="CPU" quantum="90"/>
    <resource name="RAM" quantum="64M"/>
    <config rounds="2" generations="2" children="2" sleep="100" demand="1048576"/>
  </start>
</config>`;
