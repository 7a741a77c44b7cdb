/**
 * Parse cases whose expected report, errno and settings were recorded from the real libxlu
 * (tools/libs/util at xen-project/xen c447b7308b13, built with gcc, config source "xl.cfg").
 * Each setting is [name, line, value]; values are the strings libxlu keeps.
 */
export interface OracleCase { src: string; report: string; err: number; settings: [string, number, unknown][] }

export const oracleCases: OracleCase[] = [
  {"src":"name = \"g1\"\nmemory=512; vcpus = 0x2\n# c\ndisk = [ \"a\", [1, 07], ]\nx += \"y\"\n","report":"","err":0,"settings":[["name",1,"g1"],["memory",2,"512"],["vcpus",2,"0x2"],["disk",4,["a",["1","07"]]],["x",5,"y"]]},
  {"src":"name = \n","report":"xl.cfg:0: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting STRING or NUMBER or '['\n","err":22,"settings":[]},
  {"src":"name \"x\"\n","report":"xl.cfg:1: config parsing error near `\"x\"': syntax error, unexpected STRING, expecting += or '='\n","err":22,"settings":[]},
  {"src":"memory = 1.5\n","report":"xl.cfg:1: config parsing error near `.5': lexical error\nwarning: Config file looks like it contains Python code.\nwarning:  Arbitrary Python is no longer supported.\nwarning:  See https://wiki.xen.org/wiki/PythonInXlConfig\n","err":22,"settings":[["memory",1,"1"]]},
  {"src":"Name = 1\n","report":"xl.cfg:1: config parsing error near `Name': lexical error\n","err":22,"settings":[]},
  {"src":"a = [1 2]\n","report":"xl.cfg:1: config parsing error near `2': syntax error, unexpected NUMBER, expecting ']'\n","err":22,"settings":[]},
  {"src":"a = [1,\n2,\n]\n","report":"","err":0,"settings":[["a",1,["1","2"]]]},
  {"src":"a = 1\nb = \nc = 2\nd e\n","report":"xl.cfg:1: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting STRING or NUMBER or '['\nxl.cfg:4: config parsing error near `e': syntax error, unexpected IDENT, expecting += or '='\n","err":22,"settings":[["a",1,"1"]]},
  {"src":"a = (1)\n","report":"xl.cfg:1: config parsing error near `(1)': lexical error\nwarning: Config file looks like it contains Python code.\nwarning:  Arbitrary Python is no longer supported.\nwarning:  See https://wiki.xen.org/wiki/PythonInXlConfig\n","err":22,"settings":[]},
  {"src":"a = 1","report":"","err":0,"settings":[["a",1,"1"]]},
  {"src":"a = ","report":"xl.cfg:1: config parsing error near `': syntax error, unexpected $end, expecting STRING or NUMBER or '['\n","err":22,"settings":[]},
  {"src":"a = \"x\\q\"\n","report":"xl.cfg:1: config parsing error near `\"x\\q\"': invalid character after backlash in quoted string\n","err":22,"settings":[]},
  {"src":"a = [\n","report":"xl.cfg:1: config parsing error near `': syntax error, unexpected $end, expecting ']'\n","err":22,"settings":[]},
  {"src":"a = ]\n","report":"xl.cfg:1: config parsing error near `]': syntax error, unexpected ']', expecting STRING or NUMBER or '['\n","err":22,"settings":[]},
  {"src":"a = 1 2\nb = 3\n","report":"xl.cfg:1: config parsing error near `2': syntax error, unexpected NUMBER, expecting $end\n","err":22,"settings":[["a",1,"1"]]},
  {"src":"= 1\n","report":"xl.cfg:1: config parsing error near `=': syntax error, unexpected '=', expecting $end or IDENT or NEWLINE or ';'\n","err":22,"settings":[]},
  {"src":"a = 1 ;; b = 2\n","report":"","err":0,"settings":[["a",1,"1"],["b",1,"2"]]},
  {"src":"a=[1,2];b+=[3]\nb+=\"s\"\n","report":"xl.cfg:2: config parsing error near `\"s\"': can't add [list] to \"string\" or vice versa\n","err":22,"settings":[["a",1,["1","2"]],["b",1,["3"]]]},
  {"src":"a=\"\\x41\"\n","report":"xl.cfg:1: config parsing error near `\"\\x41\"': invalid digit after backslash hexnumerical character escape in quoted string\n","err":22,"settings":[]},
  {"src":"a=\"A\\101B\\t\"\n","report":"","err":0,"settings":[["a",1,"AB\t"]]},
  {"src":"a='it\\'s'\n","report":"","err":0,"settings":[["a",1,"it's"]]},
  {"src":"a = \"unterminated\n","report":"xl.cfg:1: config parsing error near `\"unterminated': lexical error\n","err":22,"settings":[]},
  {"src":"a = @\n","report":"xl.cfg:1: config parsing error near `@': lexical error\n","err":22,"settings":[]},
  {"src":"a = [1 2\nb = 1\nc d\n","report":"xl.cfg:1: config parsing error near `2': syntax error, unexpected NUMBER, expecting ']'\nxl.cfg:3: config parsing error near `d': syntax error, unexpected IDENT, expecting += or '='\n","err":22,"settings":[]},
  {"src":"x\nb = 1\nc d\n","report":"xl.cfg:0: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting += or '='\nxl.cfg:3: config parsing error near `d': syntax error, unexpected IDENT, expecting += or '='\n","err":22,"settings":[]},
  {"src":"a = 1 # comment\nb = \"#x\"\n#last","report":"xl.cfg:3: config parsing error near `#last': lexical error\n","err":22,"settings":[["a",1,"1"],["b",2,"#x"]]},
  {"src":"a = 0x1G\n","report":"xl.cfg:1: config parsing error near `G': lexical error\n","err":22,"settings":[["a",1,"0x1"]]},
  {"src":"a.b_c9 = 1\n","report":"","err":0,"settings":[["a.b_c9",1,"1"]]},
  {"src":"a = 1\n\n\n]\n","report":"xl.cfg:4: config parsing error near `]': syntax error, unexpected ']', expecting $end or IDENT or NEWLINE or ';'\n","err":22,"settings":[["a",1,"1"]]},
  {"src":"a = \"x\" ; b\n","report":"xl.cfg:0: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting += or '='\n","err":22,"settings":[["a",1,"x"]]},
  {"src":"a=1;b","report":"xl.cfg:1: config parsing error near `': syntax error, unexpected $end, expecting += or '='\n","err":22,"settings":[["a",1,"1"]]},
  {"src":"a = [[1] 2]\n","report":"xl.cfg:1: config parsing error near `2': syntax error, unexpected NUMBER, expecting ']'\n","err":22,"settings":[]},
  {"src":"s = \"ab\"\ns += \"cd\"\nl = [1]\nl += [2, 3]\n","report":"","err":0,"settings":[["s",1,"ab"],["s",2,"abcd"],["l",3,[]],["l",4,["1","2","3"]]]},
  {"src":"a = # c\n","report":"xl.cfg:0: config parsing error near `# c': syntax error, unexpected NEWLINE, expecting STRING or NUMBER or '['\n","err":22,"settings":[]},
];
