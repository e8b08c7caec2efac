// Tests that talk to a database or to running services get two minutes each.
jest.setTimeout(120_000);
