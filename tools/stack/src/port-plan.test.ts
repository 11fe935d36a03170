import { describe, expect, it } from 'vitest';
import { STACK_ERRORS } from './errors.js';
import { clientUrl, fillPorts, planPorts, portSlots, upstreamsEnv } from './port-plan.js';

const base = { host: '127.0.0.1', replicas: 3, port: 8080, adminPort: 8081, replicaPort: 8001 };

describe('planPorts', () => {
  it('counts replica ports up from the base port', () => {
    const plan = planPorts(base);
    expect(plan.replicas).toEqual([
      { serverId: 'server-1', port: 8001 },
      { serverId: 'server-2', port: 8002 },
      { serverId: 'server-3', port: 8003 },
    ]);
    expect(portSlots(plan).map((s) => `${s.owner}:${s.port}`)).toEqual([
      'server-1:8001',
      'server-2:8002',
      'server-3:8003',
      'balancer:8080',
      'balancer admin:8081',
    ]);
  });

  it('names both owners when two ports collide', () => {
    expect(() => planPorts({ ...base, replicas: 80 })).toThrow(
      expect.objectContaining({
        code: STACK_ERRORS.PORT_CONFLICT,
        message: 'port 8080 is planned for both server-80 and balancer; choose other --port/--admin-port/--replica-port values',
      }),
    );
    expect(() => planPorts({ ...base, adminPort: 8080 })).toThrow(/port 8080 is planned for both balancer and balancer admin/);
  });

  it('refuses replica ports past 65535', () => {
    expect(() => planPorts({ ...base, replicaPort: 65534 })).toThrow(/runs past port 65535/);
  });

  it('keeps 0 as "any free port" and fills those in slot order', () => {
    const plan = planPorts({ ...base, replicaPort: 0, adminPort: 0 });
    expect(plan.replicas.map((r) => r.port)).toEqual([0, 0, 0]);
    const filled = fillPorts(plan, [40001, 40002, 40003, 40004]);
    expect(filled.replicas.map((r) => r.port)).toEqual([40001, 40002, 40003]);
    expect([filled.balancer, filled.admin]).toEqual([8080, 40004]);
  });

  it('fails when too few free ports were handed in', () => {
    expect(() => fillPorts(planPorts({ ...base, port: 0 }), [])).toThrow(
      expect.objectContaining({ code: STACK_ERRORS.PORT_CHECK_FAILED }),
    );
  });
});

describe('upstreamsEnv and clientUrl', () => {
  it('lists the replicas as comma-separated server lines', () => {
    expect(upstreamsEnv(planPorts(base))).toBe('127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003');
  });

  it('reaches wildcard binds through loopback and brackets IPv6', () => {
    expect(upstreamsEnv(planPorts({ ...base, host: '0.0.0.0', replicas: 1 }))).toBe('127.0.0.1:8001');
    expect(upstreamsEnv(planPorts({ ...base, host: '::', replicas: 1 }))).toBe('[::1]:8001');
    expect(clientUrl('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080');
    expect(clientUrl('::1', 8080)).toBe('http://[::1]:8080');
    expect(clientUrl('localhost', 8080)).toBe('http://localhost:8080');
  });
});
