// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/angulartics/angulartics2
// Commit:     8e2dfe10c02d1e362097645368f4147aae1f71a1 (fix)
// Path:       src/core/angulartics2.ts
// Subject:    fix(core): prevent ReplaySubject memory leaks
// Rule:       unbounded-channel should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Angular analytics service: ten `new ReplaySubject()` fields (imported from the RxJS 5 deep path 'rxjs/ReplaySubject') with no buffer size replay every tracked event for the app's lifetime

import { Injectable } from '@angular/core';
import { ReplaySubject } from 'rxjs/ReplaySubject';
import { Location } from '@angular/common';
import { Router, NavigationEnd } from '@angular/router';
import 'rxjs/add/operator/filter';

@Injectable()
export class Angulartics2 {

  public settings: any = {
    pageTracking: {
      autoTrackVirtualPages: true,
      basePath: '',
      excludedRoutes: []
    },
    eventTracking: {},
    developerMode: false
  };

  /*
    @Param: ({url: string, location: Location})
   */
  public pageTrack: ReplaySubject<any> = new ReplaySubject(10);

  /*
    @Param: ({action: any, properties: any})
   */
  public eventTrack: ReplaySubject<any> = new ReplaySubject(10);

  /*
    @Param: (properties: any)
   */
  public exceptionTrack: ReplaySubject<any> = new ReplaySubject(10);

  /*
    @Param: (alias: string)
   */
  public setAlias: ReplaySubject<any> = new ReplaySubject(10);

  /*
    @Param: (userId: string)
   */
  public setUsername: ReplaySubject<any> = new ReplaySubject(10);

  /*
    @Param: ({action: any, properties: any})
   */
  public setUserProperties: ReplaySubject<any> = new ReplaySubject(10);

  /*
    @Param: (properties: any)
   */
  public setUserPropertiesOnce: ReplaySubject<any> = new ReplaySubject(10);

  /*
    @Param: (properties: any)
   */
  public setSuperProperties: ReplaySubject<any> = new ReplaySubject(10);

  /*
    @Param: (properties: any)
   */
  public setSuperPropertiesOnce: ReplaySubject<any> = new ReplaySubject(10);

  /*
    @Param: (properties: any)
   */
  public userTimings: ReplaySubject<any> = new ReplaySubject(10);

  constructor(location: Location, router: Router) {
    this.trackLocation(location, router);
  }

  trackLocation(location: Location, router: Router) {
    router.events
      .filter(event => event instanceof NavigationEnd)
      .subscribe((event: NavigationEnd) => {
        if (!this.settings.developerMode) {
          this.trackUrlChange(event.urlAfterRedirects, location);
        }
      });
  }

  virtualPageviews(value: boolean) {
    this.settings.pageTracking.autoTrackVirtualPages = value;
  }
  excludeRoutes(routes: Array<string>) {
    this.settings.pageTracking.excludedRoutes = routes;
  }
  firstPageview(value: boolean) {
    this.settings.pageTracking.autoTrackFirstPage = value;
  }
  withBase(value: string) {
    this.settings.pageTracking.basePath = (value);
  }
  developerMode(value: boolean) {
    this.settings.developerMode = value;
  }
  
  protected trackUrlChange(url: string, location: Location) {
    if (!this.settings.developerMode) {
      if (this.settings.pageTracking.autoTrackVirtualPages && !this.matchesExcludedRoute(url)) {
        this.pageTrack.next({
          path: this.settings.pageTracking.basePath.length ? this.settings.pageTracking.basePath + url : location.prepareExternalUrl(url),
          location: location
        });
      }
    }
  }

  protected matchesExcludedRoute(url: string): boolean {
    for (let excludedRoute of this.settings.pageTracking.excludedRoutes) {
      if ((excludedRoute instanceof RegExp && excludedRoute.test(url)) || url.indexOf(excludedRoute) > -1) {
        return true;
      }
    }
    return false;
  }
}

